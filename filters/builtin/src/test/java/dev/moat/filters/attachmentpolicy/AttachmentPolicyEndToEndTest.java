package dev.moat.filters.attachmentpolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * attachment-policy through a real gateway: encoded names (RFC 2231, RFC 2047, the shared corpus),
 * MIME bombs answered with the configured reply within bounded time, malformed MIME quarantined.
 */
class AttachmentPolicyEndToEndTest {

    @TempDir
    static Path dir;

    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.builder(dir.resolve("main")).yaml(
                "filters:\n"
                + "  - name: ap\n"
                + "    type: attachment-policy\n"
                + "    blocked-extensions: [exe, scr, \"äöü\"]\n"
                + "    on-malformed: quarantine\n").start();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    /** One transaction; the message must use CRLF and is dot-stuffed here. Returns the reply to the final dot. */
    static String send(TestGateway gateway, byte[] message) throws IOException {
        try (RawSmtp c = RawSmtp.connect(gateway.port())) {
            assertTrue(c.lastLine().startsWith("220 "));
            assertTrue(c.command("EHLO client.example").startsWith("250 "));
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            c.send(dotStuff(message));
            return c.command(".");
        }
    }

    static String send(TestGateway gateway, String message) throws IOException {
        return send(gateway, AttachmentPolicyTest.crlf(message).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] dotStuff(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 16);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        return out.toByteArray();
    }

    private static String queuedId(String reply) {
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
        return reply.substring("250 2.0.0 Ok: queued as ".length());
    }

    @Test
    void rfc2231EncodedNameIsBlocked() throws Exception {
        assertEquals("554 5.7.1 Attachment invoice.pdf.exe blocked by rule extension .exe",
                send(gw, AttachmentPolicyTest.withAttachment("Content-Type: application/octet-stream",
                        "Content-Disposition: attachment;", " filename*=UTF-8''invoice%2Epdf%2Eexe")));
    }

    @Test
    void rfc2047EncodedNameIsBlocked() throws Exception {
        assertEquals("554 5.7.1 Attachment Rechnung.SCR blocked by rule extension .scr",
                send(gw, AttachmentPolicyTest.withAttachment("Content-Type: application/octet-stream;",
                        " name=\"=?UTF-8?Q?Rechnung=2ESCR?=\"")));
    }

    @Test
    void corpusEncodedNamesAreDecoded() throws Exception {
        for (String name : List.of("attachment-filename-encoding-Latin1.msg", "attachment-filename-encoding-UTF8.msg")) {
            byte[] message = AttachmentPolicyTest.corpusMessage(AttachmentPolicyTest.corpus().resolve(name));
            assertEquals("554 5.7.1 Attachment attachment.??? blocked by rule extension .???", send(gw, message), name);
        }
    }

    @Test
    void cleanAttachmentIsDelivered() throws Exception {
        String id = queuedId(send(gw, AttachmentPolicyTest.withAttachment("Content-Type: application/pdf",
                "Content-Disposition: attachment; filename=\"invoice.pdf\"")));
        assertTrue(gw.capture().list().stream().anyMatch(m -> m.id().equals(id)));
    }

    @Test
    void nestedMimeBombIsRefusedQuickly() throws Exception {
        long start = System.nanoTime();
        assertEquals("554 5.7.1 Message blocked by rule max-depth 20", send(gw, AttachmentPolicyTest.nested(200)));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
        assertEquals(0, gw.spoolFiles());
    }

    @Test
    void wideMimeBombIsRefusedQuickly() throws Exception {
        StringBuilder bomb = new StringBuilder("Subject: wide\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"w\"\r\n\r\n");
        for (int i = 0; i < 10_000; i++) {
            bomb.append("--w\r\nContent-Type: application/octet-stream; name=\"part").append(i).append(".bin\"\r\n\r\nAAAA\r\n");
        }
        bomb.append("--w--\r\n");
        long start = System.nanoTime();
        assertEquals("554 5.7.1 Message blocked by rule max-parts 1000", send(gw, bomb.toString()));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
        assertEquals(0, gw.spoolFiles());
    }

    @Test
    void malformedMimeIsQuarantined() throws Exception {
        String message = "Subject: broken\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"right\"\n\n"
                + "--wrong\nContent-Type: text/plain\n\nhello\n--wrong--\n";
        String id = queuedId(send(gw, message));
        StoredMessage q = gw.quarantine().list().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
        String json = Files.readString(q.jsonFile());
        assertTrue(json.contains("malformed MIME: a multipart/mixed entity at depth 0 has no parts"), json);
        assertTrue(gw.capture().list().stream().noneMatch(m -> m.id().equals(id)));
    }

    @Test
    void declaredContentTypeIsBlocked() throws Exception {
        assertEquals("554 5.7.1 Attachment tool.bin blocked by rule content-type application/x-msdownload",
                send(gw, AttachmentPolicyTest.withAttachment("Content-Type: application/x-msdownload; name=\"tool.bin\"")));
    }

    @Test
    void quarantineActionAndRejectedMalformedMime() throws Exception {
        try (TestGateway other = TestGateway.builder(dir.resolve("q")).yaml(
                "filters:\n  - {name: ap, type: attachment-policy, action: quarantine, on-malformed: reject}\n").start()) {
            String id = queuedId(send(other, AttachmentPolicyTest.withAttachment(
                    "Content-Type: application/octet-stream; name=\"setup.msi\"")));
            StoredMessage q = other.quarantine().list().get(0);
            assertEquals(id, q.id());
            assertTrue(Files.readString(q.jsonFile()).contains("attachment-policy: attachment setup.msi blocked by rule extension .msi"));
            assertEquals(List.of(), other.capture().list());

            String malformed = "Subject: broken\nContent-Type: multipart/mixed; boundary=\"right\"\n\n--wrong\n\nhello\n--wrong--\n";
            assertEquals("554 5.6.0 Malformed MIME structure", send(other, malformed));
            assertEquals(1, other.quarantine().list().size());
        }
    }
}
