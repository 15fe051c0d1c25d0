package dev.moat.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw SMTP client over a plain socket, for protocol edge cases that real clients never produce:
 * exact bytes out, complete (multi-line) replies in. Every read has a timeout, so a missing reply
 * fails the test instead of hanging it.
 */
public final class RawSmtp implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private RawSmtp(Socket socket) throws IOException {
        use(socket);
    }

    public static RawSmtp connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return new RawSmtp(socket);
    }

    /** Replaces the socket, e.g. with an SSLSocket layered over it after STARTTLS. */
    public void use(Socket newSocket) throws IOException {
        this.socket = newSocket;
        this.in = newSocket.getInputStream();
        this.out = newSocket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    public void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Sends the bytes exactly as given. */
    public RawSmtp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends the text as US-ASCII (ISO-8859-1 for 8-bit), exactly as given: add "\r\n" yourself. */
    public RawSmtp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads one complete reply (all its lines), e.g. "250-a\r\n250 b\r\n" → that text. */
    public String reply() throws IOException {
        StringBuilder all = new StringBuilder();
        while (true) {
            String line = line();
            if (line == null) {
                throw new IOException("connection closed; got so far: " + all);
            }
            all.append(line).append("\r\n");
            if (line.length() < 4 || line.charAt(3) != '-') {
                return all.toString();
            }
        }
    }

    /** Reads one reply and returns its last line without CRLF, e.g. "250 2.0.0 Ok". */
    public String lastLine() throws IOException {
        String reply = reply();
        String[] lines = reply.split("\r\n");
        return lines[lines.length - 1];
    }

    /** Sends a command line (CRLF added) and returns the last line of its reply. */
    public String command(String line) throws IOException {
        send(line + "\r\n");
        return lastLine();
    }

    /** Reads n replies, e.g. after a pipelined write. */
    public List<String> replies(int n) throws IOException {
        List<String> result = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            result.add(lastLine());
        }
        return result;
    }

    /** True if the server closed the connection (EOF) within the socket timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Reads whatever arrives until EOF or timeout, without failing. */
    public String drain() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) != -1) {
                buf.write(b);
            }
        } catch (IOException ignored) {
            // timeout or reset: return what we have
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
