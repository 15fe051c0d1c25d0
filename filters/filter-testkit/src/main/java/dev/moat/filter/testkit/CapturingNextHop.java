package dev.moat.filter.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny SMTP server on a random loopback port that accepts every message and keeps it, standing in
 * for the internal mail server behind Moat in end-to-end tests (see {@link MoatTestServer}). It
 * speaks plain ESMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; 8BITMIME), no TLS, no AUTH.
 *
 * <pre>{@code
 * try (CapturingNextHop hop = CapturingNextHop.start()) {
 *     ...
 *     CapturingNextHop.Delivery d = hop.awaitDelivery(Duration.ofSeconds(5));
 *     assertEquals(List.of("bob@example.com"), d.recipients());
 * }
 * }</pre>
 */
public final class CapturingNextHop implements AutoCloseable {

    /** One message as the next hop received it: the envelope and the bytes, dot-stuffing undone, CRLF. */
    public record Delivery(String sender, List<String> recipients, byte[] data) {
        public Delivery {
            recipients = List.copyOf(recipients);
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The message as text (ISO-8859-1: one char per byte, so nothing is lost). */
        public String text() {
            return new String(data, StandardCharsets.ISO_8859_1);
        }
    }

    private static final int MAX_LINE = 4096;
    private static final long MAX_MESSAGE = 64L * 1024 * 1024;

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "capturing-next-hop");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private final List<Socket> open = new ArrayList<>();

    private CapturingNextHop(ServerSocket server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1 on a free port. */
    public static CapturingNextHop start() throws IOException {
        CapturingNextHop hop = new CapturingNextHop(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        hop.threads.execute(hop::acceptLoop);
        return hop;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Waits for the next message (in arrival order), failing after {@code timeout}. */
    public Delivery awaitDelivery(Duration timeout) throws InterruptedException {
        Delivery d = deliveries.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (d == null) {
            throw new AssertionError("the next hop received no message within " + timeout);
        }
        return d;
    }

    /** Messages received and not yet taken by {@link #awaitDelivery}. */
    public int pending() {
        return deliveries.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (open) {
                    open.add(s);
                }
                threads.execute(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            socket.setSoTimeout(60_000);
            reply(out, "220 next-hop.test ESMTP ready");
            String sender = null;
            List<String> recipients = new ArrayList<>();
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    reply(out, "250-next-hop.test\r\n250-8BITMIME\r\n250 SIZE 67108864");
                } else if (upper.startsWith("HELO")) {
                    reply(out, "250 next-hop.test");
                } else if (upper.startsWith("MAIL FROM:")) {
                    sender = path(line.substring(10));
                    recipients.clear();
                    reply(out, "250 2.1.0 OK");
                } else if (upper.startsWith("RCPT TO:")) {
                    if (sender == null) {
                        reply(out, "503 5.5.1 MAIL first");
                    } else {
                        recipients.add(path(line.substring(8)));
                        reply(out, "250 2.1.5 OK");
                    }
                } else if (upper.equals("DATA")) {
                    if (recipients.isEmpty()) {
                        reply(out, "503 5.5.1 RCPT first");
                        continue;
                    }
                    reply(out, "354 go ahead");
                    byte[] data = readData(in);
                    deliveries.add(new Delivery(sender, recipients, data));
                    reply(out, "250 2.0.0 OK queued");
                    sender = null;
                    recipients.clear();
                } else if (upper.equals("RSET")) {
                    sender = null;
                    recipients.clear();
                    reply(out, "250 2.0.0 OK");
                } else if (upper.equals("NOOP")) {
                    reply(out, "250 2.0.0 OK");
                } else if (upper.equals("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 not implemented");
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or spoke nonsense; nothing to keep.
        }
    }

    /** The address inside {@code <...>}, parameters dropped. */
    private static String path(String arg) {
        String t = arg.trim();
        int end = t.indexOf('>');
        return t.startsWith("<") && end > 0 ? t.substring(1, end) : t.split(" ")[0];
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("line too long");
            }
            line.write(b);
        }
        return null;
    }

    /** Reads up to the lone dot, undoing dot-stuffing; lines keep their CRLF. */
    private static byte[] readData(InputStream in) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b != '\n') {
                continue;
            }
            byte[] bytes = line.toByteArray();
            line.reset();
            if (bytes.length == 3 && bytes[0] == '.' && bytes[1] == '\r') {
                return data.toByteArray();
            }
            int from = bytes.length > 0 && bytes[0] == '.' ? 1 : 0;
            data.write(bytes, from, bytes.length - from);
            if (data.size() > MAX_MESSAGE) {
                throw new IOException("message too large");
            }
        }
        throw new IOException("connection closed in DATA");
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (SocketException ignored) {
                    // already closed
                }
            }
        }
        threads.shutdownNow();
    }
}
