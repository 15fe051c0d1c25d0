package dev.moat.filters.recipientcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** recipient-check over real sockets, in the recommended chain (recipient-check, then relay-rules). */
class RecipientCheckEndToEndTest {

    @TempDir
    Path dir;

    private String yaml(Path file, int maxUnknown) {
        return "filters:\n"
                + "  - name: recipients\n"
                + "    type: recipient-check\n"
                + "    domains: [ours.test]\n"
                + "    recipients: [alice@ours.test]\n"
                + "    recipient-patterns: ['role-[a-z]+@ours\\.test']\n"
                + "    recipients-file: \"" + file + "\"\n"
                + "    reload-interval: 0s\n"
                + "    max-unknown-recipients: " + maxUnknown + "\n"
                + "  - name: relay\n"
                + "    type: relay-rules\n"
                + "    accepted-domains: [ours.test]\n"
                + "routes:\n  - domains: [\"*\"]\n    mode: capture\n";
    }

    @Test
    void knownPassUnknownAre550LookupFailuresAre450() throws Exception {
        Path file = dir.resolve("recipients.txt");
        Files.writeString(file, "# directory export\nbob@ours.test OK\n");
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml(file, 20)).start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.1.5 Recipient <alice@ours.test> OK", c.command("RCPT TO:<alice@ours.test>"));
            assertEquals("250 2.1.5 Recipient <Bob@ours.test> OK", c.command("RCPT TO:<Bob@OURS.test>"));
            assertEquals("250 2.1.5 Recipient <role-sales@ours.test> OK", c.command("RCPT TO:<role-sales@ours.test>"));
            assertEquals("550 5.1.1 <dave@ours.test>: Recipient address rejected: User unknown", c.command("RCPT TO:<dave@ours.test>"));
            assertEquals("554 5.7.1 Relay access denied", c.command("RCPT TO:<dave@other.test>"));

            // the file is reloaded when it changes ...
            replace(file, "bob@ours.test\ndave@ours.test\n");
            assertEquals("250 2.1.5 Recipient <dave@ours.test> OK", c.command("RCPT TO:<dave@ours.test>"));
            // ... and while it cannot be read, recipients it would decide get 450
            Path aside = dir.resolve("aside.txt");
            Files.move(file, aside);
            assertEquals("450 4.1.1 <erin@ours.test>: Recipient address rejected: Temporary lookup failure",
                    c.command("RCPT TO:<erin@ours.test>"));
            assertEquals("250 2.1.5 Recipient <alice@ours.test> OK", c.command("RCPT TO:<alice@ours.test>"));
            Files.move(aside, file);
            assertEquals("550 5.1.1 <erin@ours.test>: Recipient address rejected: User unknown", c.command("RCPT TO:<erin@ours.test>"));

            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            assertTrue(c.command("Subject: t\r\n\r\nbody\r\n.").startsWith("250 2.0.0 Ok: queued as "));
            CapturedEnvelope envelope = gw.capture().readEnvelope(gw.capture().list().get(0).id());
            assertEquals(List.of("alice@ours.test", "Bob@ours.test", "role-sales@ours.test", "dave@ours.test"), envelope.recipients());
        }
    }

    @Test
    void aDirectoryHarvestIsCutOffWith421() throws Exception {
        Path file = dir.resolve("recipients.txt");
        Files.writeString(file, "bob@ours.test\n");
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml(file, 3)).start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("550 5.1.1 <a1@ours.test>: Recipient address rejected: User unknown", c.command("RCPT TO:<a1@ours.test>"));
            assertEquals("250 2.1.5 Recipient <bob@ours.test> OK", c.command("RCPT TO:<bob@ours.test>"));
            assertEquals("550 5.1.1 <a2@ours.test>: Recipient address rejected: User unknown", c.command("RCPT TO:<a2@ours.test>"));
            assertEquals("250 2.0.0 OK", c.command("RSET"));
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("550 5.1.1 <a3@ours.test>: Recipient address rejected: User unknown", c.command("RCPT TO:<a3@ours.test>"));
            assertEquals("421 4.7.0 Too many unknown recipients", c.command("RCPT TO:<bob@ours.test>"));
            assertTrue(c.closedByServer());
            assertEquals(0, gw.capture().count());
        }
        // a new connection starts from zero
        try (TestGateway gw = TestGateway.builder(dir.resolve("data2")).yaml(yaml(file, 1)).start()) {
            for (int i = 0; i < 2; i++) {
                try (RawSmtp c = RawSmtp.connect(gw.port())) {
                    c.lastLine();
                    c.command("EHLO client.test");
                    c.command("MAIL FROM:<a@x.test>");
                    assertEquals("550 5.1.1 <x@ours.test>: Recipient address rejected: User unknown", c.command("RCPT TO:<x@ours.test>"));
                    assertEquals("421 4.7.0 Too many unknown recipients", c.command("RCPT TO:<bob@ours.test>"));
                    assertTrue(c.closedByServer());
                }
            }
        }
    }

    @Test
    void aMissingFileFailsStartUpNamingTheSetting() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> TestGateway.builder(dir.resolve("data")).yaml(yaml(dir.resolve("missing.txt"), 20)).start().close());
        assertTrue(String.valueOf(e.getMessage()).contains("filters[0].recipients-file: cannot read "), String.valueOf(e.getMessage()));
    }

    /** The example of docs/filters/recipient-check.md starts and behaves as described. */
    @Test
    void theDocumentedExampleWorks() throws Exception {
        Path file = dir.resolve("recipients.txt");
        Files.writeString(file, "alice@example.com\nbob@example.com      OK\n@lists.example.com\n");
        String page = Files.readString(Path.of("../../docs/filters/recipient-check.md"));
        int example = page.indexOf("## Example");
        int start = page.indexOf("```yaml\n", example) + "```yaml\n".length();
        String yaml = page.substring(start, page.indexOf("```", start)).replace("/etc/moat/recipients.txt", file.toString());
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("250 2.1.5 Recipient <bob@example.com> OK", c.command("RCPT TO:<bob@example.com>"));
            assertEquals("250 2.1.5 Recipient <x@lists.example.com> OK", c.command("RCPT TO:<x@lists.example.com>"));
            assertEquals("250 2.1.5 Recipient <carl+news@example.com> OK", c.command("RCPT TO:<carl+news@example.com>"));
            assertEquals("250 2.1.5 Recipient <abuse@example.com> OK", c.command("RCPT TO:<abuse@example.com>"));
            assertEquals("550 5.1.1 <carl@example.com>: Recipient address rejected: User unknown", c.command("RCPT TO:<carl@example.com>"));
            assertEquals("554 5.7.1 Relay access denied", c.command("RCPT TO:<carl@other.test>"));
        }
    }

    private static void replace(Path file, String content) throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.fromMillis(Math.max(before.toMillis() + 2000, System.currentTimeMillis())));
    }
}
