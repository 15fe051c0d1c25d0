package dev.moat.filters.relayrules;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The most permissive downstream imaginable, for relay tests: an SMTP server on loopback that answers
 * 250 to every command (it would relay anything) and records each command line it gets. A relay trick
 * that reached it would show up in {@link #commands()}.
 */
final class FakeNextHop implements AutoCloseable {

    private final ServerSocket server;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakeNextHop() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "fake-next-hop");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every command line received so far (message content excluded), in order. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "fake-next-hop-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            write(out, "220 next-hop.test ESMTP");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                commands.add(line);
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO" -> write(out, "250-next-hop.test\r\n250 8BITMIME");
                    case "DATA" -> {
                        write(out, "354 go ahead");
                        for (String data = in.readLine(); data != null && !data.equals("."); data = in.readLine()) {
                            // content is not recorded
                        }
                        write(out, "250 2.0.0 queued downstream");
                    }
                    case "QUIT" -> {
                        write(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> write(out, "250 2.0.0 ok");
                }
            }
        } catch (IOException e) {
            // the gateway went away
        }
    }

    private static void write(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
