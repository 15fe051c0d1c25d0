package dev.moat.filters.recipientcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify-with-next-hop over real sockets: a gateway with a capture route (so no next hop of its own
 * mirrors the RCPTs) asks a scripted verifier, in the recommended chain (recipient-check, then
 * relay-rules).
 */
class VerifyWithNextHopEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void theVerifiersRefusalIs550AtRcptAndTheOtherRecipientIsStored() throws Exception {
        try (ScriptedSmtpServer verifier = new ScriptedSmtpServer()) {
            verifier.knows("bob@ours.test");
            verifier.reply("erin@ours.test", "451 4.3.0 Directory temporarily unavailable");
            String yaml = "filters:\n"
                    + "  - name: recipients\n"
                    + "    type: recipient-check\n"
                    + "    domains: [ours.test]\n"
                    + "    verify-with-next-hop: " + verifier.url() + "\n"
                    + "    verify-helo: mx.test.example\n"
                    + "    verify-timeout: 2s\n"
                    + "  - name: relay\n"
                    + "    type: relay-rules\n"
                    + "    accepted-domains: [ours.test]\n"
                    + "routes:\n  - domains: [\"*\"]\n    mode: capture\n";
            try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml).start();
                    RawSmtp c = RawSmtp.connect(gw.port())) {
                assertTrue(c.lastLine().startsWith("220 "));
                assertTrue(c.command("EHLO client.test").startsWith("250 "));
                assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
                assertEquals("250 2.1.5 Recipient <bob@ours.test> OK", c.command("RCPT TO:<bob@ours.test>"));
                assertEquals("550 5.1.1 <dave@ours.test>: Recipient address rejected: User unknown", c.command("RCPT TO:<dave@ours.test>"));
                assertEquals("450 4.1.1 <erin@ours.test>: Recipient address rejected: Temporary lookup failure",
                        c.command("RCPT TO:<erin@ours.test>"));
                assertEquals("554 5.7.1 Relay access denied", c.command("RCPT TO:<bob@other.test>"));
                assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
                assertTrue(c.command("Subject: t\r\n\r\nbody\r\n.").startsWith("250 2.0.0 Ok: queued as "));
                assertTrue(c.command("QUIT").startsWith("221 "));

                assertEquals(1, gw.capture().count());
                CapturedEnvelope envelope = gw.capture().readEnvelope(gw.capture().list().get(0).id());
                assertEquals(List.of("bob@ours.test"), envelope.recipients());
            }
            assertEquals(1, verifier.probes("bob@ours.test"));
            assertEquals(1, verifier.probes("dave@ours.test"));
            assertEquals(List.of("EHLO mx.test.example", "MAIL FROM:<>", "RCPT TO:<bob@ours.test>", "RSET", "QUIT"),
                    verifier.transcript().subList(0, 5));
        }
    }

    /** The verifier example of docs/filters/recipient-check.md starts and behaves as described. */
    @Test
    void theDocumentedVerifierExampleWorks() throws Exception {
        String page = Files.readString(Path.of("../../docs/filters/recipient-check.md"));
        int example = page.indexOf("With a verifier");
        int start = page.indexOf("```yaml\n", example) + "```yaml\n".length();
        String yaml = page.substring(start, page.indexOf("```", start));
        String verifiers = "[smtp://mail1.internal.example:25, smtp://mail2.internal.example:25]";
        assertTrue(yaml.contains(verifiers), yaml);
        try (ScriptedSmtpServer verifier = new ScriptedSmtpServer()) {
            verifier.knows("carl@example.com");
            yaml = yaml.replace(verifiers, "[" + ScriptedSmtpServer.refusingUrl() + ", " + verifier.url() + "]");
            try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
                c.lastLine();
                c.command("EHLO client.test");
                c.command("MAIL FROM:<a@x.test>");
                assertEquals("250 2.1.5 Recipient <abuse@example.com> OK", c.command("RCPT TO:<abuse@example.com>"));
                assertEquals("250 2.1.5 Recipient <carl@example.com> OK", c.command("RCPT TO:<carl@example.com>"));
                assertEquals("550 5.1.1 <dora@example.com>: Recipient address rejected: User unknown", c.command("RCPT TO:<dora@example.com>"));
                assertEquals("554 5.7.1 Relay access denied", c.command("RCPT TO:<carl@other.test>"));
            }
            assertEquals(2, verifier.totalProbes());
            assertEquals(List.of("EHLO mx.example.com", "MAIL FROM:<>", "RCPT TO:<carl@example.com>", "RSET", "QUIT"),
                    verifier.transcript().subList(0, 5));
        }
    }
}
