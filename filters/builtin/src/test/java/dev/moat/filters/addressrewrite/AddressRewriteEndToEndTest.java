package dev.moat.filters.addressrewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** address-rewrite over real sockets: the rewrites as they land, byte for byte, in the capture store. */
class AddressRewriteEndToEndTest {

    @TempDir
    Path dir;

    private static final String YAML = "filters:\n"
            + "  - name: rewrite\n"
            + "    type: address-rewrite\n"
            + "    rules:\n"
            + "      - \"old@x.test new@y.test scope=both\"\n"
            + "      - \"@old.test @new.test scope=both\"\n"
            + "      - '/(.+)\\.(.+)@regex\\.test/ $2.$1@y.test'\n"
            + "      - \"@fwd.test @elsewhere.test\"\n"
            + "  - name: relay\n"
            + "    type: relay-rules\n"
            + "    accepted-domains: [new.test, y.test, regex.test, fwd.test]\n"
            + "routes:\n  - domains: [\"*\"]\n    mode: capture\n";

    @Test
    void envelopeAndHeadersAreRewrittenAndNothingElseChanges() throws Exception {
        String headerAndBody = ""
                + "Received: from upstream.test by relay.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                + "From: =?UTF-8?Q?J=C3=B6rg_Old?= <old@x.test>\r\n"
                + "To: \"Some One\" <someone@old.test>, john.smith@regex.test (envelope rule)\r\n"
                + "Cc: Team: a@old.test, b@other.test;\r\n"
                + "Subject: old@x.test is not an address field\r\n"
                + "Message-ID: <123@old.test>\r\n"
                + "\r\n"
                + "From: old@x.test in the body stays\r\n"
                + "..a dot-stuffed line\r\n";
        String stored = ""
                + "From: =?UTF-8?Q?J=C3=B6rg_Old?= <new@y.test>\r\n"
                + "To: \"Some One\" <someone@new.test>, john.smith@regex.test (envelope rule)\r\n"
                + "Cc: Team: a@new.test, b@other.test;\r\n"
                + "Received: from upstream.test by relay.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                + "Subject: old@x.test is not an address field\r\n"
                + "Message-ID: <123@old.test>\r\n"
                + "\r\n"
                + "From: old@x.test in the body stays\r\n"
                + ".a dot-stuffed line\r\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(YAML).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            assertEquals("250 2.1.0 Sender <old@x.test> OK", c.command("MAIL FROM:<old@x.test>"));
            assertEquals("250 2.1.5 Recipient <someone@old.test> OK", c.command("RCPT TO:<someone@old.test>"));
            assertEquals("250 2.1.5 Recipient <john.smith@regex.test> OK", c.command("RCPT TO:<john.smith@regex.test>"));
            // relay-rules runs after the rewrite and judges the address that will be delivered
            assertEquals("554 5.7.1 Relay access denied", c.command("RCPT TO:<user@fwd.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            assertTrue(c.command(headerAndBody + ".").startsWith("250 2.0.0 Ok: queued as "));

            StoredMessage message = gw.capture().list().get(0);
            byte[] eml = Files.readAllBytes(message.emlFile());
            byte[] afterReceived = afterMoatsReceivedHeader(eml);
            assertArrayEquals(stored.getBytes(StandardCharsets.ISO_8859_1), afterReceived,
                    () -> new String(eml, StandardCharsets.ISO_8859_1));
            String moatReceived = new String(eml, 0, eml.length - afterReceived.length, StandardCharsets.ISO_8859_1);
            assertTrue(moatReceived.startsWith("Received: from client.test ([127.0.0.1])\r\n"), moatReceived);

            CapturedEnvelope envelope = gw.capture().readEnvelope(message.id());
            assertEquals("new@y.test", envelope.sender());
            assertEquals(List.of("someone@new.test", "smith.john@y.test"), envelope.recipients());
        }
    }

    @Test
    void untouchedMessagesAreStoredByteForByte() throws Exception {
        String headerAndBody = "From: a@other.test\r\nTo: b@new.test\r\nSubject: nothing to rewrite\r\n\r\nbody\r\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(YAML).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@other.test>");
            assertEquals("250 2.1.5 Recipient <b@new.test> OK", c.command("RCPT TO:<b@new.test>"));
            c.command("DATA");
            assertTrue(c.command(headerAndBody + ".").startsWith("250 "));
            StoredMessage message = gw.capture().list().get(0);
            assertArrayEquals(headerAndBody.getBytes(StandardCharsets.ISO_8859_1), afterMoatsReceivedHeader(Files.readAllBytes(message.emlFile())));
            CapturedEnvelope envelope = gw.capture().readEnvelope(message.id());
            assertEquals("a@other.test", envelope.sender());
            assertEquals(List.of("b@new.test"), envelope.recipients());
        }
    }

    /**
     * A field with raw 8-bit characters (an SMTPUTF8-style display name) is left as it is, byte for
     * byte: the core would change its bytes if the filter replaced it (see the doc page).
     */
    @Test
    void aFieldWithEightBitCharactersStaysByteForByte() throws Exception {
        byte[] headerAndBody = ("From: Jörg <old@x.test>\r\nTo: someone@old.test\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
        try (TestGateway gw = TestGateway.builder(dir).yaml(YAML).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<old@x.test> BODY=8BITMIME");
            c.command("RCPT TO:<someone@new.test>");
            c.command("DATA");
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            data.write(headerAndBody);
            data.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            c.send(data.toByteArray());
            assertTrue(c.lastLine().startsWith("250 "));
            byte[] expected = ("To: someone@new.test\r\nFrom: Jörg <old@x.test>\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(expected, afterMoatsReceivedHeader(Files.readAllBytes(gw.capture().list().get(0).emlFile())));
        }
    }

    /** The example of docs/filters/address-rewrite.md, over the wire, exactly as the page shows it. */
    @Test
    void theDocumentedExampleWorks() throws Exception {
        Path file = dir.resolve("recipients.txt");
        Files.writeString(file, "john.doe@example.com\nann@example.com\n");
        String page = Files.readString(Path.of("../../docs/filters/address-rewrite.md"));
        int example = page.indexOf("## Example");
        int start = page.indexOf("```yaml\n", example) + "```yaml\n".length();
        String yaml = page.substring(start, page.indexOf("```", start)).replace("/etc/moat/recipients.txt", file.toString());
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<ann@old-name.example>");
            assertEquals("250 2.1.5 Recipient <j.doe@example.com> OK", c.command("RCPT TO:<j.doe@example.com>"));
            c.command("DATA");
            assertTrue(c.command("To: \"Doe, J.\" <j.doe@example.com>\r\n"
                    + "From: =?UTF-8?Q?Ann_=C3=96rn?= <ann@old-name.example>\r\n"
                    + "Subject: hello\r\n\r\nbody\r\n.").startsWith("250 "));
            StoredMessage message = gw.capture().list().get(0);
            assertEquals("From: =?UTF-8?Q?Ann_=C3=96rn?= <ann@example.com>\r\n"
                    + "To: \"Doe, J.\" <j.doe@example.com>\r\n"
                    + "Subject: hello\r\n\r\nbody\r\n",
                    new String(afterMoatsReceivedHeader(Files.readAllBytes(message.emlFile())), StandardCharsets.ISO_8859_1));
            CapturedEnvelope envelope = gw.capture().readEnvelope(message.id());
            assertEquals("ann@example.com", envelope.sender());
            assertEquals(List.of("john.doe@example.com"), envelope.recipients());
        }
    }

    /** The stored bytes after Moat's own (first, folded) Received header. */
    private static byte[] afterMoatsReceivedHeader(byte[] eml) {
        String text = new String(eml, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("Received: "), text);
        int end = text.indexOf("\r\n");
        while (text.charAt(end + 2) == ' ' || text.charAt(end + 2) == '\t') {
            end = text.indexOf("\r\n", end + 2);
        }
        return Arrays.copyOfRange(eml, end + 2, eml.length);
    }
}
