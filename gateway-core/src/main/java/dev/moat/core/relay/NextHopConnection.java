package dev.moat.core.relay;

import dev.moat.core.config.NextHop;
import dev.moat.core.config.NextHopAuth;
import dev.moat.core.config.NextHopTlsMode;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.store.MessageWriter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One SMTP client session to a next hop, blocking, used by one client session's thread at a time.
 * It speaks EHLO (HELO if refused), STARTTLS per the route's policy, AUTH PLAIN or LOGIN (only over
 * TLS), SIZE and BODY when offered, PIPELINING when offered, and sends the message bytes exactly
 * (dot-stuffed, in 64 KiB writes, with TCP_NODELAY so the final dot is not held back by Nagle).
 * Every read has the route's deadline; any I/O problem is a {@link NextHopException}.
 */
public final class NextHopConnection implements Closeable {

    private static final int MAX_REPLY_LINE = 4096;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "moat-relay-watchdog");
        t.setDaemon(true);
        return t;
    });
    private static final int MAX_REPLY_LINES = 200;

    private final NextHop hop;
    private final RouteConfig route;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Map<String, String> extensions = Map.of();
    private boolean tls;

    private NextHopConnection(NextHop hop, RouteConfig route) {
        this.hop = hop;
        this.route = route;
    }

    /**
     * Connects, reads the greeting, says EHLO, starts TLS and authenticates as the route requires.
     * A greeting other than 220 (e.g. 421) is a failure, so that the caller tries the next hop.
     */
    public static NextHopConnection open(NextHop hop, RouteConfig route, NextHopTlsContexts contexts, String heloName)
            throws NextHopException {
        NextHopConnection c = new NextHopConnection(hop, route);
        try {
            c.connect(contexts, heloName);
            return c;
        } catch (NextHopException e) {
            c.closeQuietly();
            throw e;
        } catch (IOException | RuntimeException e) {
            c.closeQuietly();
            throw new NextHopException(hop + ": " + e.getMessage(), "4.4.1", e);
        }
    }

    private void connect(NextHopTlsContexts contexts, String heloName) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        try {
            socket.connect(new InetSocketAddress(hop.host(), hop.port()), millis(route.connectTimeout()));
        } catch (IOException e) {
            throw new NextHopException(hop + " unreachable: " + e.getMessage(), "4.4.1", e);
        }
        streams(socket);
        NextHopReply greeting = read(route.connectTimeout());
        if (greeting.code() != 220) {
            throw new NextHopException(hop + " greeted with " + greeting, "4.4.1");
        }
        hello(heloName);
        NextHopTlsMode mode = route.tls().mode();
        boolean offered = extensions.containsKey("STARTTLS");
        if (mode == NextHopTlsMode.REQUIRED || mode == NextHopTlsMode.VERIFY) {
            if (!offered) {
                throw new NextHopException(hop + " does not offer STARTTLS, which the route requires", "4.7.5");
            }
            startTls(contexts, heloName);
        } else if (mode == NextHopTlsMode.OPPORTUNISTIC && offered) {
            startTls(contexts, heloName);
        }
        if (route.auth().isPresent()) {
            authenticate(route.auth().get());
        }
    }

    private void hello(String heloName) throws IOException {
        NextHopReply ehlo = command("EHLO " + heloName, route.commandTimeout());
        if (ehlo.positive()) {
            Map<String, String> ext = new HashMap<>();
            for (int i = 1; i < ehlo.lines().size(); i++) {
                String line = ehlo.lines().get(i).trim();
                int space = line.indexOf(' ');
                String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
                ext.put(keyword, space < 0 ? "" : line.substring(space + 1));
            }
            extensions = Map.copyOf(ext);
            return;
        }
        NextHopReply helo = command("HELO " + heloName, route.commandTimeout());
        if (!helo.positive()) {
            throw new NextHopException(hop + " refused HELO: " + helo, "4.4.1");
        }
        extensions = Map.of();
    }

    private void startTls(NextHopTlsContexts contexts, String heloName) throws IOException {
        NextHopReply reply = command("STARTTLS", route.commandTimeout());
        if (reply.code() != 220) {
            throw new NextHopException(hop + " refused STARTTLS: " + reply, "4.7.5");
        }
        String peerName = route.tls().expectedName().orElse(hop.host());
        SSLSocket ssl = (SSLSocket) contexts.contextFor(route).getSocketFactory()
                .createSocket(socket, peerName, hop.port(), true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        if (route.tls().mode() == NextHopTlsMode.VERIFY) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // host name checked against the certificate
        }
        ssl.setSSLParameters(parameters);
        ssl.setUseClientMode(true);
        try {
            ssl.setSoTimeout(millis(route.commandTimeout()));
            ssl.startHandshake();
        } catch (IOException e) {
            throw new NextHopException(hop + " TLS handshake failed: " + e.getMessage(), "4.7.5", e);
        }
        socket = ssl;
        streams(ssl);
        tls = true;
        hello(heloName); // RFC 3207 §4.2: the server forgets everything; ask again
    }

    private void authenticate(NextHopAuth auth) throws IOException {
        if (!tls) {
            throw new NextHopException(hop + ": refusing to send credentials without TLS", "4.7.5");
        }
        String methods = extensions.getOrDefault("AUTH", "").toUpperCase(Locale.ROOT);
        NextHopReply reply;
        if (methods.contains("PLAIN")) {
            String token = Base64.getEncoder().encodeToString(("\0" + auth.username() + "\0" + auth.password())
                    .getBytes(StandardCharsets.UTF_8));
            reply = command("AUTH PLAIN " + token, route.commandTimeout());
        } else if (methods.contains("LOGIN")) {
            reply = command("AUTH LOGIN", route.commandTimeout());
            if (reply.code() == 334) {
                reply = command(base64(auth.username()), route.commandTimeout());
            }
            if (reply.code() == 334) {
                reply = command(base64(auth.password()), route.commandTimeout());
            }
        } else {
            throw new NextHopException(hop + " offers no AUTH PLAIN or LOGIN", "4.7.0");
        }
        if (reply.code() != 235) {
            throw new NextHopException(hop + " refused our credentials: " + reply.code(), "4.7.0");
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the next hop advertised an EHLO keyword, e.g. {@code PIPELINING}. */
    public boolean supports(String keyword) {
        return extensions.containsKey(keyword);
    }

    public boolean tlsActive() {
        return tls;
    }

    public NextHop hop() {
        return hop;
    }

    /**
     * Sends MAIL FROM (with SIZE and BODY when the next hop knows them) and one RCPT TO, pipelined when
     * the next hop allows it. Returns both replies; the RCPT reply is null if MAIL was refused and the
     * next hop does not pipeline.
     */
    public NextHopReply[] mailAndRcpt(String sender, Map<String, String> mailParameters, String recipient) throws IOException {
        StringBuilder mail = new StringBuilder(64).append("MAIL FROM:<").append(sender).append('>');
        String size = mailParameters.get("SIZE");
        if (size != null && supports("SIZE")) {
            mail.append(" SIZE=").append(size);
        }
        String body = mailParameters.get("BODY");
        if (body != null && supports("8BITMIME")) {
            mail.append(" BODY=").append(body);
        }
        String rcpt = "RCPT TO:<" + recipient + ">";
        if (supports("PIPELINING")) {
            send(mail + "\r\n" + rcpt + "\r\n");
            return new NextHopReply[] {read(route.commandTimeout()), read(route.commandTimeout())};
        }
        NextHopReply mailReply = command(mail.toString(), route.commandTimeout());
        if (!mailReply.positive()) {
            return new NextHopReply[] {mailReply, null};
        }
        return new NextHopReply[] {mailReply, command(rcpt, route.commandTimeout())};
    }

    public NextHopReply rcpt(String recipient) throws IOException {
        return command("RCPT TO:<" + recipient + ">", route.commandTimeout());
    }

    /**
     * MAIL FROM alone, with SIZE and BODY when the next hop knows them, and {@code extra} parameters
     * (e.g. {@code RET=HDRS ENVID=x}) appended as given; for the queue, which sends its recipients next.
     */
    public NextHopReply mail(String sender, Map<String, String> mailParameters, String extra) throws IOException {
        StringBuilder mail = new StringBuilder(64).append("MAIL FROM:<").append(sender).append('>');
        String size = mailParameters.get("SIZE");
        if (size != null && supports("SIZE")) {
            mail.append(" SIZE=").append(size);
        }
        String body = mailParameters.get("BODY");
        if (body != null && supports("8BITMIME")) {
            mail.append(" BODY=").append(body);
        }
        if (!extra.isEmpty()) {
            mail.append(' ').append(extra);
        }
        return command(mail.toString(), route.commandTimeout());
    }

    /** RCPT TO with {@code extra} parameters (e.g. {@code NOTIFY=NEVER}) appended when not empty. */
    public NextHopReply rcpt(String recipient, String extra) throws IOException {
        return command("RCPT TO:<" + recipient + ">" + (extra.isEmpty() ? "" : " " + extra), route.commandTimeout());
    }

    /** DATA, then the message (dot-stuffed, ended by CRLF.CRLF); returns the final reply, or DATA's refusal. */
    public NextHopReply data(MessageWriter content) throws IOException {
        NextHopReply go = command("DATA", route.commandTimeout());
        if (go.code() != 354) {
            if (go.positive() || go.intermediate()) {
                // Anything but 354 means the message was not taken: never report it as delivered.
                throw new NextHopException(hop + " answered DATA with " + go, "4.4.2");
            }
            rset(); // the next hop keeps its transaction open after a refused DATA
            return go;
        }
        // Socket writes have no timeout of their own: a next hop that stops reading would hold this
        // thread forever. The watchdog closes the socket at the data deadline, failing the write.
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(this::closeQuietly, route.dataTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            DotStuffingOutputStream data = new DotStuffingOutputStream(out);
            content.writeTo(data);
            data.finish();
        } catch (IOException e) {
            throw new NextHopException(hop + " connection lost while sending the message: " + e.getMessage(), "4.4.2", e);
        } finally {
            watchdog.cancel(false);
        }
        return read(route.dataTimeout());
    }

    public NextHopReply rset() throws IOException {
        return command("RSET", route.commandTimeout());
    }

    /** QUIT politely (briefly), then close. Never throws. */
    public void quit() {
        try {
            socket.setSoTimeout(2000);
            send("QUIT\r\n");
            read(Duration.ofSeconds(2));
        } catch (IOException | RuntimeException ignored) {
            // the connection ends either way
        }
        closeQuietly();
    }

    private NextHopReply command(String line, Duration timeout) throws IOException {
        send(line + "\r\n");
        return read(timeout);
    }

    private void send(String text) throws IOException {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new NextHopException(hop + " connection lost: " + e.getMessage(), "4.4.2", e);
        }
    }

    private NextHopReply read(Duration timeout) throws IOException {
        try {
            socket.setSoTimeout(millis(timeout));
            List<String> lines = new ArrayList<>();
            while (true) {
                String line = readLine();
                if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                        || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                    throw new NextHopException(hop + " sent a malformed reply", "4.4.2");
                }
                lines.add(line.length() > 4 ? line.substring(4) : "");
                if (line.length() == 3 || line.charAt(3) == ' ') {
                    return NextHopReply.of(Integer.parseInt(line.substring(0, 3)), lines);
                }
                if (lines.size() > MAX_REPLY_LINES) {
                    throw new NextHopException(hop + " sent an endless reply", "4.4.2");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new NextHopException(hop + " did not answer within " + timeout, "4.4.2", e);
        } catch (NextHopException e) {
            throw e;
        } catch (IOException e) {
            throw new NextHopException(hop + " connection lost: " + e.getMessage(), "4.4.2", e);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_REPLY_LINE) {
                throw new NextHopException(hop + " sent an overlong reply line", "4.4.2");
            }
            line.write(b);
        }
        throw new NextHopException(hop + " closed the connection", "4.4.2");
    }

    private void streams(Socket s) throws IOException {
        in = new BufferedInputStream(s.getInputStream(), 8192);
        out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    private void closeQuietly() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
