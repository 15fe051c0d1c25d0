package dev.moat.filters.headerchecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * header-checks through a real gateway, found through the service file, with a rule file in Postfix
 * regexp: table syntax: every reply on the wire, and the edits byte-exact in the capture store.
 */
class HeaderChecksEndToEndTest {

    @TempDir
    static Path dir;

    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        Path table = dir.resolve("header_checks");
        Files.writeString(table, String.join("\n",
                "# Postfix header_checks, brought over unchanged",
                "/^Subject:.*viagra/                 REJECT no pills here",
                "/^Subject:.*lottery/                554 5.7.9 no lottery",
                "/^Subject:.*come back/              DEFER",
                "/^Subject:.*busy/                   450 4.7.2 busy,",
                "    try later",
                "/^Subject:.*drop me/                DISCARD",
                "/^Subject:.*hold me/                HOLD held for review",
                "/^X-Spam-Score:/                    IGNORE",
                "/^Subject: \\[EXT\\] (.*)$/           REPLACE Subject: $1",
                "/^From:.*@partner\\.test/            PREPEND X-Partner: yes",
                "/^X-Mailer:.*bulk/                  WARN bulk mailer",
                "/^Content-Type:.*name=\"?[^\"]*\\.exe/ REJECT 5.7.1 executable attachment",
                ""), StandardCharsets.ISO_8859_1);
        gw = TestGateway.builder(dir.resolve("gw")).yaml(
                "filters:\n"
                + "  - name: hc\n"
                + "    type: header-checks\n"
                + "    rules-file: \"" + table + "\"\n"
                + "    mime-part-headers: true\n").start();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static String send(String message) throws IOException {
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 "));
            assertTrue(c.command("EHLO client.example").startsWith("250 "));
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            c.send(message.replace("\n", "\r\n"));
            String reply = c.command(".");
            String noop = c.command("NOOP");
            assertTrue(noop.startsWith("250 "), "the connection goes on after the reply: " + noop);
            return reply;
        }
    }

    private static List<StoredMessage> captured(String id) {
        return gw.capture().list().stream().filter(m -> m.id().equals(id)).toList();
    }

    private static String queued(String reply) {
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
        return reply.substring("250 2.0.0 Ok: queued as ".length());
    }

    /** The stored message without Moat's Received header. */
    private static String storedWithoutReceived(StoredMessage m) throws IOException {
        String eml = Files.readString(m.emlFile(), StandardCharsets.ISO_8859_1);
        assertTrue(eml.startsWith("Received: "), eml);
        int i = eml.indexOf("\r\n");
        while (eml.charAt(i + 2) == ' ' || eml.charAt(i + 2) == '\t') {
            i = eml.indexOf("\r\n", i + 2);
        }
        return eml.substring(i + 2);
    }

    @Test
    void rejectWithTheRuleText() throws Exception {
        assertEquals("550 5.7.1 no pills here", send("Subject: cheap VIAGRA\n\nx\n"));
    }

    @Test
    void rejectWithTheRuleCode() throws Exception {
        assertEquals("554 5.7.9 no lottery", send("Subject: you won the lottery\n\nx\n"));
    }

    @Test
    void deferWithTheDefaultReply() throws Exception {
        assertEquals("451 4.7.1 Message content deferred, try again later", send("Subject: come back tomorrow\n\nx\n"));
    }

    @Test
    void fourHundredFiftyFromAContinuedLine() throws Exception {
        assertEquals("450 4.7.2 busy, try later", send("Subject: we are busy\n\nx\n"));
    }

    @Test
    void discardAnswers250AndStoresNothing() throws Exception {
        String id = queued(send("Subject: please drop me\n\nx\n"));
        assertEquals(List.of(), captured(id));
        assertTrue(gw.quarantine().list().stream().noneMatch(m -> m.id().equals(id)));
    }

    @Test
    void holdQuarantines() throws Exception {
        String id = queued(send("Subject: hold me please\n\nx\n"));
        assertEquals(List.of(), captured(id));
        StoredMessage q = gw.quarantine().list().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
        String json = Files.readString(q.jsonFile());
        assertTrue(json.contains("held for review"), json);
    }

    @Test
    void editsAreByteExactInTheStoredMessage() throws Exception {
        String message = "From: Alice <alice@partner.test>\nX-Spam-Score: 9.9\nSubject: [EXT] quarterly\n"
                + " numbers\nX-Mailer: bulk 1.0\n\nbody line\n.. dot line\n";
        String id = queued(send(message));
        StoredMessage m = captured(id).get(0);
        assertEquals("X-Partner: yes\r\nSubject: quarterly numbers\r\nFrom: Alice <alice@partner.test>\r\n"
                + "X-Mailer: bulk 1.0\r\n\r\nbody line\r\n. dot line\r\n", storedWithoutReceived(m));
    }

    @Test
    void untouchedMessageIsStoredAsSent() throws Exception {
        String message = "From: a@x.test\nSubject: hello\n\thow are you\n\nbody\n";
        String id = queued(send(message));
        assertEquals(message.replace("\n", "\r\n"), storedWithoutReceived(captured(id).get(0)));
    }

    @Test
    void mimePartHeadersAreChecked() throws Exception {
        String message = String.join("\n",
                "From: a@x.test",
                "Subject: invoice",
                "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=\"b1\"",
                "",
                "--b1",
                "Content-Type: text/plain",
                "",
                "see attached",
                "--b1",
                "Content-Type: application/octet-stream;",
                " name=\"invoice.pdf.exe\"",
                "Content-Transfer-Encoding: base64",
                "",
                "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==",
                "--b1--",
                "");
        assertEquals("550 5.7.1 executable attachment", send(message));
    }
}
