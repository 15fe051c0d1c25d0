package dev.moat.filter.testkit;

import dev.moat.filter.SessionInfo;
import dev.moat.filter.TlsInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds the immutable {@link SessionInfo} a filter sees in its contexts, as the gateway would take it
 * from a live connection.
 *
 * <pre>{@code
 * SessionInfo session = TestSession.builder()
 *         .clientIp("203.0.113.7")
 *         .helo("mail.example.net")
 *         .tls("TLSv1.3", "TLS_AES_128_GCM_SHA256")
 *         .user("alice")
 *         .build();
 * FilterHarness harness = FilterHarness.of(new MyFilter()).session(session);
 * }</pre>
 *
 * Every value not set keeps its {@link #defaults() default}.
 */
public final class TestSession {

    /** The id of the default session. */
    public static final String DEFAULT_ID = "test-session";
    /** The listener name of the default session. */
    public static final String DEFAULT_LISTENER = "mx";
    /** The client IP address of the default session (TEST-NET-1, RFC 5737). */
    public static final String DEFAULT_CLIENT_IP = "192.0.2.10";
    /** The client port of the default session. */
    public static final int DEFAULT_CLIENT_PORT = 40000;
    /** The HELO name of the default session. */
    public static final String DEFAULT_HELO = "client.example";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private TestSession() {
    }

    /** A builder starting from the {@link #defaults() defaults}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from the values of {@code session}, to change a few of them. */
    public static Builder builder(SessionInfo session) {
        return new Builder().from(session);
    }

    /**
     * The default session: id {@code test-session}, listener {@code mx}, client {@code 192.0.2.10:40000},
     * HELO name {@code client.example} given with EHLO, no TLS, not authenticated.
     */
    public static SessionInfo defaults() {
        return builder().build();
    }

    /** Sets the values of a {@link SessionInfo} one by one; {@link #build()} may be called several times. */
    public static final class Builder {
        private String id = DEFAULT_ID;
        private String listener = DEFAULT_LISTENER;
        private InetAddress clientIp = literal(DEFAULT_CLIENT_IP);
        private int clientPort = DEFAULT_CLIENT_PORT;
        private String helo = DEFAULT_HELO;
        private boolean extendedHello = true;
        private TlsInfo tls;
        private String user;

        private Builder() {
        }

        /** Copies every value of {@code session}. */
        public Builder from(SessionInfo session) {
            Objects.requireNonNull(session, "session");
            id = session.id();
            listener = session.listener();
            InetSocketAddress address = session.clientAddress();
            clientIp = address.getAddress() != null ? address.getAddress() : literal(address.getHostString());
            clientPort = address.getPort();
            helo = session.heloName().orElse(null);
            extendedHello = session.extendedHello();
            tls = session.tls().orElse(null);
            user = session.authenticatedUser().orElse(null);
            return this;
        }

        /** Moat's connection id, as it appears in logs and the Received header. */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /** The name of the listener that accepted the connection. */
        public Builder listener(String listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The client's IP address, an IPv4 or IPv6 literal (never resolved through DNS). */
        public Builder clientIp(String ip) {
            this.clientIp = literal(Objects.requireNonNull(ip, "ip"));
            return this;
        }

        /** The client's TCP port, 0 to 65535. */
        public Builder clientPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            }
            this.clientPort = port;
            return this;
        }

        /** The name of the latest HELO/EHLO; {@code null} for a session before any HELO. */
        public Builder helo(String name) {
            this.helo = name;
            return this;
        }

        /** True if the client used EHLO, false for HELO. */
        public Builder extendedHello(boolean extended) {
            this.extendedHello = extended;
            return this;
        }

        /** Marks TLS as active with this protocol and cipher suite, e.g. {@code TLSv1.3}. */
        public Builder tls(String protocol, String cipher) {
            this.tls = new TlsInfo(protocol, cipher);
            return this;
        }

        /** The SASL identity after a successful AUTH; {@code null} for none. */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public SessionInfo build() {
            return new Info(id, listener, new InetSocketAddress(clientIp, clientPort), Optional.ofNullable(helo),
                    extendedHello, Optional.ofNullable(tls), Optional.ofNullable(user));
        }
    }

    private static InetAddress literal(String ip) {
        if (!IPV4.matcher(ip).matches() && ip.indexOf(':') < 0) {
            throw new IllegalArgumentException("not an IP address literal: " + ip);
        }
        try {
            return InetAddress.getByName(ip); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + ip, e);
        }
    }

    private record Info(String id, String listener, InetSocketAddress clientAddress, Optional<String> heloName,
            boolean extendedHello, Optional<TlsInfo> tls, Optional<String> authenticatedUser) implements SessionInfo {
    }
}
