package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Shared pieces of the DATA-phase tests: the wire dialogue with exact replies, byte helpers
 * (CRLF conversion, dot-stuffing), splitting Moat's Received field off a stored message, and the
 * location of the MIME corpus.
 */
final class DataTestSupport {

    static final String HOST = "mx.test.example";
    static final String MAIL_OK = "250 2.1.0 Sender <a@x.test> OK";
    static final String RCPT_OK = "250 2.1.5 Recipient <b@y.test> OK";
    static final String GO_AHEAD = "354 End data with <CR><LF>.<CR><LF>";
    static final String NOOP_OK = "250 2.0.0 OK";
    static final String BYE = "221 2.0.0 mx.test.example Service closing transmission channel";
    static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as ([A-Za-z0-9._-]{1,64})");
    /**
     * The start of the bare-line-ending refusal. Only the start: the text's RFC reference is a free
     * choice (and the shipped one, with a non-ASCII section sign, cannot be sent at all).
     */
    static final String BARE_REPLY_PREFIX = "550 5.6.11 Message contains bare CR or LF characters";
    static final String LONG_LINE_REPLY = "554 5.6.0 Message has a line longer than 998 characters";
    static final String TOO_BIG_REPLY = "552 5.3.4 Message size exceeds fixed maximum message size";

    /** Moat's Received field for a plain ESMTP session from client.example over loopback, one recipient. */
    private static final Pattern RECEIVED = Pattern.compile(
            "Received: from client\\.example \\(\\[127\\.0\\.0\\.1\\]\\)\r\n"
                    + "\tby mx\\.test\\.example \\(Moat\\) with ESMTP id ([A-Za-z0-9._-]+)\r\n"
                    + "\tfor <([^>\r\n]+)>;\r\n"
                    + "\t[A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\r\n");

    private DataTestSupport() {
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Connects, checks the banner and says EHLO client.example. */
    static RawSmtp connect(TestGateway gw) throws IOException {
        RawSmtp c = RawSmtp.connect(gw.port());
        String banner = c.lastLine();
        assertTrue(banner.startsWith("220 " + HOST + " ESMTP"), banner);
        String ehlo = c.command("EHLO client.example");
        assertTrue(ehlo.startsWith("250 "), ehlo);
        return c;
    }

    /** MAIL FROM:&lt;a@x.test&gt;, RCPT TO:&lt;b@y.test&gt;, DATA, each with its exact reply. */
    static void startData(RawSmtp c) throws IOException {
        assertEquals(MAIL_OK, c.command("MAIL FROM:<a@x.test>"));
        assertEquals(RCPT_OK, c.command("RCPT TO:<b@y.test>"));
        assertEquals(GO_AHEAD, c.command("DATA"));
    }

    /** The one reply to a message with a bare CR or LF in {@code reject} mode: 550 5.6.11, printable ASCII. */
    static void assertBareLineReply(String reply) {
        assertTrue(reply.startsWith(BARE_REPLY_PREFIX), "expected " + BARE_REPLY_PREFIX + "..., got: " + reply);
        assertTrue(reply.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7E), "reply must be printable ASCII: " + reply);
    }

    /** The message id of a {@code 250 2.0.0 Ok: queued as <id>} reply; fails on any other reply. */
    static String queuedId(String reply) {
        Matcher m = QUEUED.matcher(reply);
        assertTrue(m.matches(), "expected 250 queued, got: " + reply);
        return m.group(1);
    }

    /** Sends a whole transaction with the wire form of the message (already dot-stuffed, with the final dot). */
    static String sendTransaction(RawSmtp c, byte[] wire) throws IOException {
        startData(c);
        c.send(wire);
        return c.lastLine();
    }

    /** NOOP must get its own 250 right now, and nothing else may be waiting: the dialogue is in step. */
    static void assertInStep(RawSmtp c) throws IOException {
        assertEquals(NOOP_OK, c.command("NOOP"));
        assertNothingPending(c);
    }

    /** No further reply bytes arrive within 300 ms. */
    static void assertNothingPending(RawSmtp c) throws IOException {
        c.timeout(300);
        try {
            InputStream in = c.socket().getInputStream();
            int b = in.read();
            fail("unexpected extra data from the server: " + (b < 0 ? "EOF" : text(new byte[] {(byte) b}) + c.drain()));
        } catch (SocketTimeoutException expected) {
            // in step
        } finally {
            c.timeout(10_000);
        }
    }

    /** The stored .eml of the message with this id. */
    static byte[] stored(TestGateway gw, String id) throws IOException {
        StoredMessage m = gw.capture().find(id).orElseThrow(() -> new AssertionError("not stored: " + id));
        return Files.readAllBytes(m.emlFile());
    }

    /** Length of Moat's Received field at the start of a stored message; checks its exact shape. */
    static int receivedLength(byte[] eml, String id, String recipient) {
        String head = text(Arrays.copyOf(eml, Math.min(eml.length, 1024)));
        assertTrue(head.startsWith("Received: from "), head);
        Matcher m = RECEIVED.matcher(head);
        assertTrue(m.lookingAt(), "unexpected Received field: " + head);
        assertEquals(id, m.group(1), "Received id");
        assertEquals(recipient, m.group(2), "Received for");
        return m.end();
    }

    /**
     * The stored message after Moat's Received field (checked for shape, id and recipient). Comparing
     * the result with the bytes sent proves that exactly one field was prepended and nothing changed.
     */
    static byte[] afterReceived(byte[] eml, String id) {
        return Arrays.copyOfRange(eml, receivedLength(eml, id, "b@y.test"), eml.length);
    }

    /** Every LF becomes CRLF unless it already is one. */
    static byte[] lfToCrlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 20);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }

    /**
     * The DATA form of a CRLF message: each line starting with '.' gets another '.', a CRLF is added
     * if the message does not end with one, then the final {@code .CRLF}.
     */
    static byte[] wire(byte[] crlfMessage) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(crlfMessage.length + 64);
        boolean lineStart = true;
        for (byte b : crlfMessage) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.writeBytes(bytes("\r\n"));
        }
        out.writeBytes(bytes(".\r\n"));
        return out.toByteArray();
    }

    /** Fails if the bytes hold a CR not followed by LF or an LF not preceded by CR. */
    static void assertNoBareLineEndings(byte[] message) {
        for (int i = 0; i < message.length; i++) {
            if (message[i] == '\r') {
                assertTrue(i + 1 < message.length && message[i + 1] == '\n', "bare CR at offset " + i + " in " + text(message));
            } else if (message[i] == '\n') {
                assertTrue(i > 0 && message[i - 1] == '\r', "bare LF at offset " + i + " in " + text(message));
            }
        }
    }

    /** The lines of the message (without line endings) longer than {@code max} octets. */
    static boolean hasLineLongerThan(byte[] crlfMessage, int max) {
        int start = 0;
        for (int i = 0; i < crlfMessage.length; i++) {
            if (crlfMessage[i] == '\n') {
                int len = i - start - (i > 0 && crlfMessage[i - 1] == '\r' ? 1 : 0);
                if (len > max) {
                    return true;
                }
                start = i + 1;
            }
        }
        return crlfMessage.length - start > max;
    }

    /** Every file under the spool directory (not just *.spool: nothing at all may be left). */
    static List<Path> spoolDirectoryContents(TestGateway gw) throws IOException {
        Path spool = gw.gateway().spool().directory();
        try (Stream<Path> files = Files.list(spool)) {
            return files.toList();
        }
    }

    /** Polls until the spool directory is empty, up to {@code millis}; fails with what is left. */
    static void awaitSpoolEmpty(TestGateway gw, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!spoolDirectoryContents(gw).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), spoolDirectoryContents(gw), "spool directory not empty");
        assertEquals(0, gw.spoolFiles());
    }

    /** Polls until the spool holds {@code count} files, up to 5 s. */
    static void awaitSpoolFiles(TestGateway gw, long count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (gw.spoolFiles() != count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(count, gw.spoolFiles(), "spool files");
    }

    /**
     * The MIME corpus: {@code shared/corpus/mime} in the nearest ancestor of the working directory
     * that has it (the checkout's sibling {@code shared/}, locally and in CI).
     */
    static Path corpusDirectory() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("corpus").resolve("mime");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("no shared/corpus/mime beside the checkout, searched up from "
                + Path.of("").toAbsolutePath());
    }
}
