package dev.moat.core.relay;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small, strict SMTP server scripted by a test, standing in for the internal MTA: configurable
 * greeting, EHLO keywords, replies per recipient, to DATA and to the end of data, STARTTLS with a given
 * certificate, AUTH PLAIN/LOGIN, and failure modes (hang, close). It keeps an SMTP state machine like
 * Postfix's (a nested MAIL is a {@code 503}; a refused DATA leaves the transaction open) and records
 * a full transcript per connection: every command line with whether TLS was active and whether it
 * arrived pipelined, and every message's DATA bytes exactly as received (dot-stuffed, with the
 * terminating {@code .CRLF}) and un-stuffed.
 */
final class ScriptedNextHop implements AutoCloseable {

    /** One command line as received. */
    record Line(String text, boolean tls, boolean pipelined) {
        String verb() {
            int space = text.indexOf(' ');
            return (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        }
    }

    /** One message (or a DATA phase that broke off: {@code complete} false). */
    record Message(String mailFrom, List<String> recipients, byte[] raw, byte[] content, boolean tls, boolean complete) {
        String text() {
            return new String(content, StandardCharsets.ISO_8859_1);
        }

        String rawText() {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
    }

    /** The transcript of one accepted TCP connection. */
    static final class Connection {
        final List<Line> lines = new CopyOnWriteArrayList<>();
        final List<Message> messages = new CopyOnWriteArrayList<>();
        volatile boolean tls;
        volatile boolean quit;
        volatile boolean closed;
        volatile Exception tlsFailure;
        volatile Socket socket;
        volatile String lastReply;

        List<String> verbs() {
            return lines.stream().map(Line::verb).toList();
        }

        List<String> commands() {
            return lines.stream().map(Line::text).toList();
        }
    }

    /** As a {@link #rcptReply}: close the connection instead of answering. */
    static final String CLOSE = "<close>";

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger queued = new AtomicInteger();

    private volatile String greeting = "220 hop.test ESMTP scripted";
    private volatile List<String> keywords = List.of("PIPELINING", "SIZE 10240000", "8BITMIME");
    private volatile SSLContext tlsContext;
    private volatile String authMechanisms;
    private volatile String authReply = "235 2.7.0 Authentication successful";
    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private volatile String mailReply = "250 2.1.0 Ok";
    private volatile String dataReply = "354 End data with <CR><LF>.<CR><LF>";
    private final ConcurrentLinkedDeque<String> endOfDataReplies = new ConcurrentLinkedDeque<>();
    private volatile boolean hangAtEndOfData;
    private volatile String hangAt;
    private volatile String closeAt;
    private volatile String ehloReply;
    private volatile boolean stallInData;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);

    private ScriptedNextHop() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        acceptor = new Thread(this::acceptLoop, "scripted-next-hop-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** A running next hop on 127.0.0.1, with PIPELINING, SIZE and 8BITMIME and no STARTTLS or AUTH. */
    static ScriptedNextHop start() throws IOException {
        ScriptedNextHop hop = new ScriptedNextHop();
        hop.acceptor.start();
        return hop;
    }

    /** A port on 127.0.0.1 where nothing listens (bound once, then closed). */
    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "smtp://127.0.0.1:" + port();
    }

    // ---- script ----

    /**
     * The greeting line, e.g. {@code 421 4.3.2 busy} (the hop then closes the connection); null for
     * none at all (the hop accepts the connection and stays silent).
     */
    ScriptedNextHop greeting(String line) {
        this.greeting = line;
        return this;
    }

    /** The EHLO keywords (STARTTLS and AUTH are added by {@link #startTls} and {@link #auth}). */
    ScriptedNextHop keywords(String... keywords) {
        this.keywords = List.of(keywords);
        return this;
    }

    /** Offers STARTTLS and performs it with this server context. */
    ScriptedNextHop startTls(SSLContext serverContext) {
        this.tlsContext = serverContext;
        return this;
    }

    /** Offers AUTH with these mechanisms (e.g. {@code PLAIN LOGIN}) and answers with {@code reply}. */
    ScriptedNextHop auth(String mechanisms, String reply) {
        this.authMechanisms = mechanisms;
        this.authReply = reply;
        return this;
    }

    /** The reply to RCPT for this address; lines separated by LF make a multi-line reply; {@link #CLOSE} to hang up. */
    ScriptedNextHop rcptReply(String address, String reply) {
        rcptReplies.put(address.toLowerCase(Locale.ROOT), reply);
        return this;
    }

    ScriptedNextHop mailReply(String reply) {
        this.mailReply = reply;
        return this;
    }

    /** The reply to DATA itself; anything but 354 leaves the transaction open, as Postfix does. */
    ScriptedNextHop dataReply(String reply) {
        this.dataReply = reply;
        return this;
    }

    /** Replies to the next ends of data, in order; after them, {@code 250 2.0.0 Ok: queued as HOPn}. */
    ScriptedNextHop endOfDataReplies(String... replies) {
        endOfDataReplies.addAll(List.of(replies));
        return this;
    }

    /** Answer EHLO with this (e.g. {@code 502 5.5.2 Error: command not recognized}), so the client falls back to HELO. */
    ScriptedNextHop ehloReply(String reply) {
        this.ehloReply = reply;
        return this;
    }

    /** After 354, stop reading altogether (a stalled server), until {@link #close()}. */
    ScriptedNextHop stallInData() {
        this.stallInData = true;
        return this;
    }

    /** Never answer the final dot (the connection stays open until the client closes it). */
    ScriptedNextHop hangAtEndOfData() {
        this.hangAtEndOfData = true;
        return this;
    }

    /** Never answer this command verb (e.g. {@code MAIL}). */
    ScriptedNextHop hangAt(String verb) {
        this.hangAt = verb;
        return this;
    }

    /** Close the connection without a reply when this command verb arrives (e.g. {@code DATA}). */
    ScriptedNextHop closeAt(String verb) {
        this.closeAt = verb;
        return this;
    }

    // ---- transcript ----

    List<Connection> connections() {
        return List.copyOf(connections);
    }

    Connection connection(int i) {
        return connections.get(i);
    }

    /** Every complete message over all connections, in arrival order per connection. */
    List<Message> messages() {
        List<Message> all = new ArrayList<>();
        for (Connection c : connections) {
            for (Message m : c.messages) {
                if (m.complete()) {
                    all.add(m);
                }
            }
        }
        return all;
    }

    /** Every command line over all connections. */
    List<Line> lines() {
        List<Line> all = new ArrayList<>();
        for (Connection c : connections) {
            all.addAll(c.lines);
        }
        return all;
    }

    boolean sawVerb(String verb) {
        return lines().stream().anyMatch(l -> l.verb().equals(verb));
    }

    /** Waits until the condition holds; false on timeout. */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    /**
     * Ends every open connection from the server side, as an idle timer would: writes {@code goodbye}
     * (e.g. a 421 line) first if given, then closes.
     */
    void dropConnections(String goodbye) {
        for (Connection c : connections) {
            Socket s = c.socket;
            if (c.closed || s == null) {
                continue;
            }
            try {
                if (goodbye != null) {
                    s.getOutputStream().write((goodbye + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
                s.close();
            } catch (IOException ignored) {
                // gone already
            }
        }
    }

    /** Waits until every connection so far has ended (QUIT or close). */
    boolean awaitAllClosed(Duration timeout) throws InterruptedException {
        return await(() -> connections.stream().allMatch(c -> c.closed), timeout);
    }

    // ---- server ----

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Connection c = new Connection();
                c.socket = s;
                connections.add(c);
                Thread t = new Thread(() -> serve(s, c), "scripted-next-hop-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket plain, Connection c) {
        Socket s = plain;
        try {
            s.setSoTimeout(60_000);
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String hello = greeting;
            if (hello == null) {
                hang(in, c);
                return;
            }
            reply(out, hello);
            if (!hello.startsWith("220")) {
                return;
            }
            String mail = null;
            List<String> rcpts = new ArrayList<>();
            while (true) {
                String text = readLine(in);
                if (text == null) {
                    return;
                }
                Line line = new Line(text, c.tls, in.available() > 0);
                c.lines.add(line);
                String verb = line.verb();
                if (verb.equals(hangAt)) {
                    hang(in, c);
                    return;
                }
                if (verb.equals(closeAt)) {
                    return;
                }
                switch (verb) {
                    case "EHLO" -> {
                        if (ehloReply != null) {
                            reply(out, ehloReply);
                            break;
                        }
                        List<String> ext = new ArrayList<>(keywords);
                        if (tlsContext != null && !c.tls) {
                            ext.add("STARTTLS");
                        }
                        if (authMechanisms != null) {
                            ext.add("AUTH " + authMechanisms);
                        }
                        StringBuilder b = new StringBuilder();
                        b.append("250").append(ext.isEmpty() ? " " : "-").append("hop.test\r\n");
                        for (int i = 0; i < ext.size(); i++) {
                            b.append("250").append(i == ext.size() - 1 ? " " : "-").append(ext.get(i)).append("\r\n");
                        }
                        out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        mail = null;
                        rcpts.clear();
                    }
                    case "HELO" -> reply(out, "250 hop.test");
                    case "STARTTLS" -> {
                        if (tlsContext == null || c.tls) {
                            reply(out, "502 5.5.1 STARTTLS not available");
                            break;
                        }
                        reply(out, "220 2.0.0 Ready to start TLS");
                        SSLSocket ssl = (SSLSocket) tlsContext.getSocketFactory().createSocket(s, "127.0.0.1", s.getPort(), true);
                        ssl.setUseClientMode(false);
                        try {
                            ssl.startHandshake();
                        } catch (IOException e) {
                            c.tlsFailure = e;
                            return;
                        }
                        s = ssl;
                        c.socket = ssl;
                        sockets.add(ssl);
                        in = new BufferedInputStream(ssl.getInputStream());
                        out = ssl.getOutputStream();
                        c.tls = true;
                        mail = null;
                        rcpts.clear();
                    }
                    case "AUTH" -> {
                        if (authMechanisms == null) {
                            reply(out, "502 5.5.1 AUTH not available");
                        } else if (text.toUpperCase(Locale.ROOT).startsWith("AUTH LOGIN")) {
                            reply(out, "334 VXNlcm5hbWU6");
                            String user = readLine(in);
                            if (user == null) {
                                return;
                            }
                            c.lines.add(new Line(user, c.tls, false));
                            reply(out, "334 UGFzc3dvcmQ6");
                            String pass = readLine(in);
                            if (pass == null) {
                                return;
                            }
                            c.lines.add(new Line(pass, c.tls, false));
                            reply(out, authReply);
                        } else {
                            reply(out, authReply);
                        }
                    }
                    case "MAIL" -> {
                        if (mail != null) {
                            reply(out, "503 5.5.1 Error: nested MAIL command");
                        } else {
                            reply(out, mailReply);
                            if (mailReply.startsWith("2")) {
                                mail = text;
                            }
                        }
                    }
                    case "RCPT" -> {
                        if (mail == null) {
                            reply(out, "503 5.5.1 Error: need MAIL command");
                            break;
                        }
                        String address = address(text);
                        String r = rcptReplies.getOrDefault(address.toLowerCase(Locale.ROOT), "250 2.1.5 Ok");
                        if (r.equals(CLOSE)) {
                            return;
                        }
                        reply(out, r.replace("\n", "\r\n"));
                        if (r.startsWith("2")) {
                            rcpts.add(address);
                        }
                    }
                    case "DATA" -> {
                        if (mail == null) {
                            reply(out, "503 5.5.1 Error: need RCPT command");
                            break;
                        }
                        if (rcpts.isEmpty()) {
                            reply(out, "554 5.5.1 Error: no valid recipients");
                            break;
                        }
                        reply(out, dataReply);
                        if (!dataReply.startsWith("354")) {
                            break; // the transaction stays open, as in Postfix
                        }
                        if (stallInData) {
                            closing.await(); // never read the message: the sender's buffers fill up
                            return;
                        }
                        boolean complete = readData(in, c, mail, rcpts);
                        if (!complete) {
                            return;
                        }
                        mail = null;
                        rcpts = new ArrayList<>();
                        if (hangAtEndOfData) {
                            hang(in, c);
                            return;
                        }
                        String r = endOfDataReplies.poll();
                        r = r != null ? r : "250 2.0.0 Ok: queued as HOP" + queued.incrementAndGet();
                        c.lastReply = r;
                        reply(out, r);
                    }
                    case "RSET" -> {
                        mail = null;
                        rcpts.clear();
                        reply(out, "250 2.0.0 Ok");
                    }
                    case "NOOP" -> reply(out, "250 2.0.0 Ok");
                    case "QUIT" -> {
                        c.quit = true;
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 Error: command not recognized");
                }
                if (c.lastReply != null && c.lastReply.startsWith("421")) {
                    return; // 421: the server closes the channel (RFC 5321 §3.8)
                }
            }
        } catch (IOException e) {
            // the client went away or the test closed us
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            c.closed = true;
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Reads DATA lines up to the line ".CRLF"; records the message; false if the connection ended first. */
    private boolean readData(InputStream in, Connection c, String mail, List<String> rcpts) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            line.reset();
            int b;
            while ((b = in.read()) != -1) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            byte[] bytes = line.toByteArray();
            raw.write(bytes);
            if (b == -1) {
                c.messages.add(new Message(mail, List.copyOf(rcpts), raw.toByteArray(), content.toByteArray(), c.tls, false));
                return false;
            }
            if (bytes.length == 3 && bytes[0] == '.' && bytes[1] == '\r') {
                c.messages.add(new Message(mail, List.copyOf(rcpts), raw.toByteArray(), content.toByteArray(), c.tls, true));
                return true;
            }
            int from = bytes.length > 0 && bytes[0] == '.' ? 1 : 0;
            content.write(bytes, from, bytes.length - from);
        }
    }

    /** Answers nothing more; records what still arrives until the peer closes. */
    private static void hang(InputStream in, Connection c) throws IOException {
        String text;
        while ((text = readLine(in)) != null) {
            c.lines.add(new Line(text, c.tls, false));
        }
    }

    private static String address(String rcptLine) {
        int open = rcptLine.indexOf('<');
        int close = rcptLine.indexOf('>', open + 1);
        return open < 0 || close < 0 ? rcptLine : rcptLine.substring(open + 1, close);
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One line without its CRLF (or LF), ISO-8859-1; null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        return null;
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
