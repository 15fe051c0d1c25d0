package dev.moat.admin;

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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small real SMTP server standing in for the internal mail server behind an inline route: it
 * answers EHLO, MAIL, RCPT, DATA, RSET, NOOP and QUIT, and records each complete message with its
 * envelope and its content un-dot-stuffed, byte for byte. {@link #refuseData} makes it answer the
 * end of data with {@code 554 5.6.0}. One thread per connection; close it to stop.
 */
final class SmtpSink implements AutoCloseable {

    record Message(String mailFrom, List<String> recipients, byte[] content) {
    }

    final List<Message> messages = new CopyOnWriteArrayList<>();
    volatile boolean refuseData;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    SmtpSink() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "smtp-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread t = new Thread(() -> serve(socket), "smtp-sink-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            reply(out, "220 sink.test ESMTP");
            String from = null;
            List<String> rcpts = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME");
                    case "MAIL" -> {
                        from = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                        rcpts.clear();
                        reply(out, "250 2.1.0 Ok");
                    }
                    case "RCPT" -> {
                        rcpts.add(line.substring(line.indexOf('<') + 1, line.indexOf('>')));
                        reply(out, "250 2.1.5 Ok");
                    }
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        ByteArrayOutputStream content = new ByteArrayOutputStream();
                        byte[] raw;
                        while ((raw = readRawLine(in)) != null) {
                            if (raw.length == 3 && raw[0] == '.' && raw[1] == '\r' && raw[2] == '\n') {
                                break;
                            }
                            int skip = raw.length > 0 && raw[0] == '.' ? 1 : 0; // RFC 5321 4.5.2
                            content.write(raw, skip, raw.length - skip);
                        }
                        if (refuseData) {
                            reply(out, "554 5.6.0 Refused by the sink");
                        } else {
                            messages.add(new Message(from, List.copyOf(rcpts), content.toByteArray()));
                            reply(out, "250 2.0.0 Ok: queued as SINK" + messages.size());
                        }
                        from = null;
                        rcpts.clear();
                    }
                    case "RSET" -> {
                        from = null;
                        rcpts.clear();
                        reply(out, "250 2.0.0 Ok");
                    }
                    case "NOOP" -> reply(out, "250 2.0.0 Ok");
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 Not implemented");
                }
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        byte[] raw = readRawLine(in);
        return raw == null ? null : new String(raw, 0, Math.max(0, raw.length - 2), StandardCharsets.ISO_8859_1);
    }

    /** One line with its CRLF, or null at the end of the stream. */
    private static byte[] readRawLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        int previous = -1;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n' && previous == '\r') {
                return line.toByteArray();
            }
            previous = b;
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
