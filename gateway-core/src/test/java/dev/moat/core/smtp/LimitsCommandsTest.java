package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code max-recipients}, {@code max-invalid-commands} and {@code max-command-line-length} on the wire. */
class LimitsCommandsTest {

    private static final String MAX_RCPT = "452 4.5.3 Requested action not taken: max recipients reached";
    private static final String TOO_MANY_ERRORS = "421 4.7.0 mx.test.example Error: too many errors";

    @TempDir
    Path dir;

    @Test
    void recipientsOverMaxGet452AndTheMessageGoesToTheFirstThree() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  max-recipients: 3\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            StringBuilder pipelined = new StringBuilder();
            for (int i = 1; i <= 5; i++) {
                pipelined.append("RCPT TO:<r").append(i).append("@y.test>\r\n");
            }
            c.send(pipelined.toString());
            assertEquals(List.of(
                    "250 2.1.5 Recipient <r1@y.test> OK",
                    "250 2.1.5 Recipient <r2@y.test> OK",
                    "250 2.1.5 Recipient <r3@y.test> OK",
                    MAX_RCPT,
                    MAX_RCPT), c.replies(5));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            String id = LimitsSupport.queuedId(c.command("Subject: three\r\n\r\nbody\r\n."));

            CapturedEnvelope envelope = gw.capture().readEnvelope(id);
            assertEquals(List.of("r1@y.test", "r2@y.test", "r3@y.test"), envelope.recipients());
            assertEquals(1, gw.capture().list().size());

            // The limit is per transaction: the next one may have three again.
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            c.send("RCPT TO:<r4@y.test>\r\nRCPT TO:<r5@y.test>\r\nRCPT TO:<r6@y.test>\r\nRCPT TO:<r7@y.test>\r\n");
            assertEquals(List.of(
                    "250 2.1.5 Recipient <r4@y.test> OK",
                    "250 2.1.5 Recipient <r5@y.test> OK",
                    "250 2.1.5 Recipient <r6@y.test> OK",
                    MAX_RCPT), c.replies(4));
            assertEquals("250 2.0.0 OK", c.command("RSET"));
        }
    }

    @Test
    void invalidCommandsAreCountedAcrossRsetAndTheOneOverTheLimitGets421() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  max-invalid-commands: 3\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertEquals("500 5.5.1 Command FOO1 unrecognized.", c.command("FOO1"));
            assertEquals("250 2.0.0 OK", c.command("RSET"));
            assertEquals("500 5.5.1 Command FOO2 unrecognized.", c.command("FOO2"));
            assertEquals("250 2.0.0 OK", c.command("RSET"));
            assertEquals("500 5.5.1 Command FOO3 unrecognized.", c.command("FOO3"));
            assertEquals("250 2.0.0 OK", c.command("RSET"));
            assertEquals(TOO_MANY_ERRORS, c.command("FOO4"));
            c.timeout(5000);
            assertTrue(c.closedByServer(), "connection must be closed after the 421");
        }
    }

    /** The default max-invalid-commands is 10: ten errors are answered, the eleventh closes. */
    @Test
    void defaultLimitAnswersTenInvalidCommandsAndClosesOnTheEleventh() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            for (int i = 1; i <= 10; i++) {
                assertEquals("500 5.5.1 Command BAD" + i + " unrecognized.", c.command("BAD" + i), "error #" + i);
            }
            assertEquals(TOO_MANY_ERRORS, c.command("BAD11"));
            c.timeout(5000);
            assertTrue(c.closedByServer());
        }
    }

    /** Overlong lines are refused by Moat itself, before James: they count once, like any other error. */
    @Test
    void overlongLinesCountOncePerLine() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  max-invalid-commands: 3\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            String overlong = "NOOP " + "x".repeat(600);
            for (int i = 1; i <= 3; i++) {
                assertEquals("500 5.5.2 Line too long (at most 512 octets)", c.command(overlong), "error #" + i);
            }
            assertEquals(TOO_MANY_ERRORS, c.command(overlong));
            c.timeout(5000);
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void syntaxAndSequenceErrorsCountAsInvalidCommandsToo() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  max-invalid-commands: 3\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertTrue(c.command("RCPT TO:<b@y.test>").startsWith("503 5."));          // sequence
            assertTrue(c.command("MAIL FROM:a@x.test").startsWith("501 5."));          // syntax
            assertEquals("500 5.5.2 Syntax error: command not terminated by CRLF", c.send("NOOP\n").lastLine()); // bare LF
            assertEquals(TOO_MANY_ERRORS, c.command("BOGUS"));
            c.timeout(5000);
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void commandLineOfExactly512OctetsIsAccepted() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            String line = "NOOP " + "x".repeat(512 - 5 - 2);
            assertEquals(512, line.length() + 2);
            assertEquals("250 2.0.0 OK", c.command(line));
        }
    }

    @Test
    void overlongCommandLinesGetOne500Each_AndTheDialogueStaysInStep() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            for (int octets : new int[] {513, 600, 100_000}) {
                String line = "NOOP " + "x".repeat(octets - 5 - 2);
                assertEquals(octets, line.length() + 2);
                // Pipelined with a NOOP: exactly one 500 for the long line, then the NOOP's own 250.
                c.send(line + "\r\nNOOP\r\n");
                List<String> replies = c.replies(2);
                assertTrue(replies.get(0).startsWith("500 5.5.2 Line too long"), octets + " octets: " + replies);
                assertEquals("250 2.0.0 OK", replies.get(1), octets + " octets: " + replies);
            }
            // And a transaction still works afterwards.
            String reply = LimitsSupport.sendTransaction(c, "b@y.test", "Subject: after\r\n\r\nbody");
            LimitsSupport.queuedId(reply);
        }
    }

    @Test
    void a513OctetLineSays500_5_5_2WithTheLimit() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            assertEquals("500 5.5.2 Line too long (at most 512 octets)", c.command("NOOP " + "x".repeat(506)));
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
        }
    }

    /** Far more pipelined commands than the framer's read back-pressure threshold: all answered, in order. */
    @Test
    void thousandsOfPipelinedCommandsAreAllAnswered() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            int n = 2000;
            c.send("NOOP\r\n".repeat(n) + "RSET\r\n");
            for (int i = 0; i < n; i++) {
                assertEquals("250 2.0.0 OK", c.lastLine(), "reply #" + i);
            }
            assertEquals("250 2.0.0 OK", c.lastLine());
            assertTrue(c.send("EHLO c.example\r\n").reply().startsWith("250-mx.test.example"));
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
        }
    }
}
