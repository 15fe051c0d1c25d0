package dev.moat.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One SMTP listening socket (an entry of the YAML list {@code listeners}).
 *
 * @param name a short unique name ({@code [a-z0-9-]+}), used in logs, metrics and the admin API
 *     so that an operator can tell port 25 traffic from submission traffic
 * @param address the local address and port to bind; port 0 asks the system for a free port
 *     (tests)
 * @param tls whether and how TLS is offered
 * @param role what the listener is for: mail from the internet, or submission with AUTH
 * @param proxyProtocol whether connections arrive through an HAProxy PROXY-protocol proxy
 */
public record ListenerConfig(String name, InetSocketAddress address, TlsConfig tls, ListenerRole role,
        ProxyProtocolConfig proxyProtocol) {

    /** What a listener name may look like. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

    /** Name of the listener used when the configuration has no {@code listeners}. */
    public static final String DEFAULT_NAME = "default";

    /** Host of the default listener: loopback, so that an unconfigured Moat is not an open door. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Port of the default listener: unprivileged, so that Moat starts without root. */
    public static final int DEFAULT_PORT = 2525;

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("listener name must match [a-z0-9-]+, got '" + name + "'");
        }
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        role.requiredTlsMode().ifPresent(mode -> {
            if (tls.mode() != mode) {
                throw new IllegalArgumentException("a listener with role " + role.yamlName() + " needs tls mode " + mode.yamlName());
            }
        });
    }

    /** An {@code mx} listener without PROXY protocol. */
    public ListenerConfig(String name, InetSocketAddress address, TlsConfig tls) {
        this(name, address, tls, ListenerRole.MX, ProxyProtocolConfig.off());
    }

    /** The listener used when the configuration has no {@code listeners}: 127.0.0.1:2525, no TLS. */
    public static ListenerConfig defaultListener() {
        try {
            return new ListenerConfig(
                    DEFAULT_NAME,
                    new InetSocketAddress(InetAddress.getByName(DEFAULT_HOST), DEFAULT_PORT),
                    TlsConfig.none());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a literal IPv4 address cannot fail to resolve", e);
        }
    }
}
