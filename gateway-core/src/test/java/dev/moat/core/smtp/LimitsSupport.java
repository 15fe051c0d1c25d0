package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.moat.core.testing.RawSmtp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Small helpers shared by the Limits/Tls/Command tests of this package. */
final class LimitsSupport {

    private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as (\\S+)$");

    private LimitsSupport() {
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code within} has passed; then fails with {@code what}. */
    static void eventually(Duration within, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    /** The store id from a {@code 250 2.0.0 Ok: queued as <id>} reply. */
    static String queuedId(String reply) {
        Matcher m = QUEUED.matcher(reply);
        assertTrue(m.matches(), "not a queued reply: " + reply);
        return m.group(1);
    }

    /** EHLO, MAIL, RCPT, DATA, a small message; returns the final reply line. */
    static String sendMessage(RawSmtp c, String rcpt, String body) throws IOException {
        c.send("EHLO client.example\r\n").reply();
        return sendTransaction(c, rcpt, body);
    }

    /** MAIL, RCPT, DATA and the message (after an EHLO already given); returns the final reply line. */
    static String sendTransaction(RawSmtp c, String rcpt, String body) throws IOException {
        String mail = c.command("MAIL FROM:<a@x.test>");
        assertTrue(mail.startsWith("250 "), mail);
        String r = c.command("RCPT TO:<" + rcpt + ">");
        assertTrue(r.startsWith("250 "), r);
        String data = c.command("DATA");
        assertTrue(data.startsWith("354 "), data);
        return c.command(body + "\r\n.");
    }

    /** Live threads whose names start with {@code moat-}. */
    static List<Thread> moatThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("moat-"))
                .collect(Collectors.toList());
    }

    static String names(List<Thread> threads) {
        return threads.stream().map(t -> t.getName() + (t.isDaemon() ? "(daemon)" : "(non-daemon)"))
                .collect(Collectors.joining(", "));
    }

    /**
     * Writes {@code text} one byte every {@code periodMillis} on a background thread until the socket
     * fails (the server closed it) or {@code maxBytes} were written.
     */
    static Thread drip(OutputStream out, String text, long periodMillis) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Thread t = new Thread(() -> {
            try {
                for (byte b : bytes) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(periodMillis);
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server (expected) or test over
            }
        }, "test-drip");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Writes each line (CRLF added) every {@code periodMillis} on a background thread until the socket fails. */
    static Thread dripLines(OutputStream out, List<String> lines, long periodMillis) {
        Thread t = new Thread(() -> {
            try {
                for (String line : lines) {
                    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Thread.sleep(periodMillis);
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server (expected) or test over
            }
        }, "test-drip-lines");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
