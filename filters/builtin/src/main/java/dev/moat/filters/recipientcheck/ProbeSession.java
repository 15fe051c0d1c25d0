package dev.moat.filters.recipientcheck;

import java.io.BufferedInputStream;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One plain SMTP session to a verifier, blocking, used by one thread: connect, greeting, EHLO (HELO if
 * EHLO is refused), then {@link #verify} (MAIL FROM, RCPT TO, RSET, QUIT). TCP_NODELAY; the connect
 * and every reply have a deadline ({@code timeout} for the whole reply, not per byte, so a verifier
 * that drips bytes cannot stretch it); reply lines and the number of lines per reply are bounded. Any
 * problem is an {@link IOException}.
 */
final class ProbeSession implements Closeable {

    /** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; be lenient, but bounded. */
    static final int MAX_REPLY_LINE = 2048;
    static final int MAX_REPLY_LINES = 100;
    /** RSET and QUIT come after the answer is known: wait for their replies at most this long. */
    static final Duration TEARDOWN_TIMEOUT = Duration.ofSeconds(1);

    /** One SMTP reply: its code and its lines without CRLF (code and separator included). */
    record Reply(int code, List<String> lines) {
        boolean positive() {
            return code >= 200 && code < 300;
        }

        /** The last line, made printable and short (it comes from the network and goes to the log). */
        @Override
        public String toString() {
            return printable(lines.get(lines.size() - 1));
        }
    }

    /** The verdict of the verifier on one recipient. */
    enum Answer { KNOWN, UNKNOWN, FAILURE }

    record Outcome(Answer answer, String detail) {
    }

    private final VerifierEndpoint endpoint;
    private final Duration timeout;
    private final Socket socket = new Socket();
    private InputStream in;
    private OutputStream out;
    private Set<String> extensions = Set.of();

    private ProbeSession(VerifierEndpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /**
     * Connects, reads the 220 greeting and says EHLO (HELO if EHLO is refused). A failure here means
     * the verifier cannot be used; the caller may try the next one.
     */
    static ProbeSession open(VerifierEndpoint endpoint, String helo, Duration timeout) throws IOException {
        ProbeSession s = new ProbeSession(endpoint, timeout);
        try {
            s.connect(helo);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void connect(String helo) throws IOException {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), millis(timeout));
        in = new BufferedInputStream(socket.getInputStream(), 4096);
        out = socket.getOutputStream();
        Reply greeting = read(timeout);
        if (greeting.code() != 220) {
            throw new IOException("greeted with " + greeting);
        }
        Reply ehlo = command("EHLO " + helo, timeout);
        if (ehlo.positive()) {
            Set<String> ext = new HashSet<>();
            for (int i = 1; i < ehlo.lines().size(); i++) {
                String line = ehlo.lines().get(i);
                if (line.length() > 4) {
                    ext.add(line.substring(4).trim().split(" ", 2)[0].toUpperCase(Locale.ROOT));
                }
            }
            extensions = Set.copyOf(ext);
            return;
        }
        Reply reply = command("HELO " + helo, timeout);
        if (!reply.positive()) {
            throw new IOException("refused EHLO (" + ehlo + ") and HELO (" + reply + ")");
        }
    }

    /**
     * MAIL FROM:&lt;sender&gt; and RCPT TO:&lt;recipient&gt;, then RSET and QUIT (their replies are
     * awaited briefly and otherwise ignored): 2xx to RCPT → known, 5xx → unknown; a 4xx, any other
     * reply, a refused MAIL FROM or an I/O problem → failure.
     *
     * @param sender the reverse path without brackets, empty for the null sender
     */
    Outcome verify(String sender, String recipient) {
        boolean utf8 = !ascii(sender) || !ascii(recipient);
        if (utf8 && !extensions.contains("SMTPUTF8")) {
            return new Outcome(Answer.FAILURE, endpoint + " does not offer SMTPUTF8, needed for <" + recipient + ">");
        }
        Outcome outcome;
        try {
            Reply mail = command("MAIL FROM:<" + sender + ">" + (utf8 ? " SMTPUTF8" : ""), timeout);
            if (!mail.positive()) {
                return new Outcome(Answer.FAILURE, endpoint + " refused MAIL FROM:<" + sender + ">: " + mail);
            }
            Reply rcpt = command("RCPT TO:<" + recipient + ">", timeout);
            if (rcpt.positive()) {
                outcome = new Outcome(Answer.KNOWN, endpoint + ": " + rcpt);
            } else if (rcpt.code() >= 500 && rcpt.code() < 600) {
                outcome = new Outcome(Answer.UNKNOWN, endpoint + ": " + rcpt);
            } else {
                return new Outcome(Answer.FAILURE, endpoint + " answered RCPT TO with " + rcpt);
            }
        } catch (IOException | RuntimeException e) {
            return new Outcome(Answer.FAILURE, endpoint + ": " + describe(e));
        }
        try {
            Duration brief = timeout.compareTo(TEARDOWN_TIMEOUT) < 0 ? timeout : TEARDOWN_TIMEOUT;
            command("RSET", brief);
            command("QUIT", brief);
        } catch (IOException | RuntimeException e) {
            // the answer is known; a verifier that hangs up early is no failure
        }
        return outcome;
    }

    private Reply command(String line, Duration deadline) throws IOException {
        out.write((line + "\r\n").getBytes(ascii(line) ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8));
        out.flush();
        return read(deadline);
    }

    /** Reads one complete reply, which must arrive within {@code deadline}. */
    private Reply read(Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = line(end);
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(c -> c >= '0' && c <= '9')
                    || line.charAt(0) < '1' || line.charAt(0) > '5'
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IOException("protocol error: not an SMTP reply line: " + printable(line));
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code >= 0 && lineCode != code) {
                throw new IOException("protocol error: reply code changed from " + code + " to " + lineCode);
            }
            code = lineCode;
            lines.add(line);
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(code, List.copyOf(lines));
            }
            if (lines.size() >= MAX_REPLY_LINES) {
                throw new IOException("protocol error: reply longer than " + MAX_REPLY_LINES + " lines");
            }
        }
    }

    /** One line without its CRLF (a bare LF ends it too), read before {@code end} (System.nanoTime). */
    private String line(long end) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no complete reply within " + timeoutText());
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no complete reply within " + timeoutText());
            }
            if (b == -1) {
                throw new IOException("connection closed by the verifier");
            }
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (buf.size() >= MAX_REPLY_LINE) {
                throw new IOException("protocol error: reply line longer than " + MAX_REPLY_LINE + " bytes");
            }
            buf.write(b);
        }
    }

    private String timeoutText() {
        return timeout.toMillis() + " ms";
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** At most 200 characters of printable ASCII ('?' for anything else), for messages and the log. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 203));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c <= 0x7E ? c : '?');
        }
        return s.length() > 200 ? out.append("...").toString() : out.toString();
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
