package dev.moat.filters.recipientcheck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small scripted SMTP server on 127.0.0.1 for the verifier tests: answers RCPT TO per address
 * (lower-cased) and counts the probes per address. Replies are single lines, or several separated by
 * a literal {@code \n}; special replies: {@code HANG} (say nothing, keep the connection open),
 * {@code CLOSE} (hang up), {@code LONG} (a 3000-byte line), {@code MANY} (a 150-line reply),
 * {@code DRIP} (a valid reply, one byte every 100 ms). The greeting can be {@code HANG} as well.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-smtp");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, String> replies = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> probes = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile String greeting = "220 verifier.test ESMTP";
    volatile String ehloReply = "250-verifier.test\\n250-PIPELINING\\n250 8BITMIME";
    volatile String mailReply = "250 2.1.0 Ok";
    volatile String defaultRcptReply = "550 5.1.1 <{address}>: Recipient address rejected: User unknown in local recipient table";

    ScriptedSmtpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** The reply to RCPT TO for this address (any case). */
    ScriptedSmtpServer reply(String address, String reply) {
        replies.put(address.toLowerCase(Locale.ROOT), reply);
        return this;
    }

    /** Every address in {@code addresses} is known (250). */
    ScriptedSmtpServer knows(String... addresses) {
        for (String a : addresses) {
            reply(a, "250 2.1.5 Ok");
        }
        return this;
    }

    String url() {
        return "smtp://127.0.0.1:" + server.getLocalPort();
    }

    /** RCPT TOs received for this address (any case). */
    int probes(String address) {
        AtomicInteger n = probes.get(address.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    int totalProbes() {
        return probes.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    int connections() {
        return connections.get();
    }

    /** Every command line received so far, in order, over all connections. */
    List<String> transcript() {
        synchronized (transcript) {
            return List.copyOf(transcript);
        }
    }

    /** A port on which nothing listens (connections are refused). */
    static String refusingUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "smtp://127.0.0.1:" + s.getLocalPort();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                connections.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (!send(out, greeting, s)) {
                hang(in);
                return;
            }
            for (String line = readLine(in); line != null; line = readLine(in)) {
                transcript.add(line);
                String upper = line.toUpperCase(Locale.ROOT);
                String reply;
                if (upper.startsWith("EHLO ")) {
                    reply = ehloReply;
                } else if (upper.startsWith("HELO ")) {
                    reply = "250 verifier.test";
                } else if (upper.startsWith("MAIL FROM:")) {
                    reply = mailReply;
                } else if (upper.startsWith("RCPT TO:<") && line.endsWith(">")) {
                    String address = line.substring("RCPT TO:<".length(), line.length() - 1).toLowerCase(Locale.ROOT);
                    probes.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
                    reply = replies.getOrDefault(address, defaultRcptReply.replace("{address}", address));
                } else if (upper.equals("RSET")) {
                    reply = "250 2.0.0 Ok";
                } else if (upper.equals("QUIT")) {
                    send(out, "221 2.0.0 Bye", s);
                    return;
                } else {
                    reply = "502 5.5.2 Error: command not recognized";
                }
                if (!send(out, reply, s)) {
                    hang(in);
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the server is closing
        } finally {
            open.remove(s);
        }
    }

    /** Sends a scripted reply; false for HANG (the caller then waits for the client to give up). */
    private static boolean send(OutputStream out, String reply, Socket s) throws IOException, InterruptedException {
        switch (reply) {
            case "HANG":
                return false;
            case "CLOSE":
                s.close();
                return true;
            case "LONG":
                out.write(("250 " + "x".repeat(3000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                break;
            case "MANY":
                out.write(("250-x\r\n".repeat(150) + "250 x\r\n").getBytes(StandardCharsets.US_ASCII));
                break;
            case "DRIP":
                for (byte b : "250 2.1.5 Ok\r\n".getBytes(StandardCharsets.US_ASCII)) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100);
                }
                break;
            default:
                out.write((reply.replace("\\n", "\r\n") + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        return true;
    }

    /** Reads and ignores everything until the client closes. */
    private static void hang(InputStream in) throws IOException {
        byte[] buf = new byte[512];
        while (in.read(buf) != -1) {
            // say nothing
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
