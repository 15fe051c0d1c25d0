package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.GO_AHEAD;
import static dev.moat.core.smtp.DataTestSupport.MAIL_OK;
import static dev.moat.core.smtp.DataTestSupport.RCPT_OK;
import static dev.moat.core.smtp.DataTestSupport.TOO_BIG_REPLY;
import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.assertInStep;
import static dev.moat.core.smtp.DataTestSupport.awaitSpoolEmpty;
import static dev.moat.core.smtp.DataTestSupport.bytes;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.startData;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code max-message-size: 1MB}: SIZE= checked at MAIL, the real size at the final dot, both 552 5.3.4. */
class DataSizeLimitTest {

    private static final int LIMIT = 1024 * 1024;
    private static final String CONFIG = "limits:\n  max-message-size: 1MB\n";

    @TempDir
    Path dir;

    @Test
    void advertisesTheLimitInEhlo() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(CONFIG).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n");
            String ehlo = c.reply();
            assertTrue(ehlo.contains("250-SIZE 1048576\r\n") || ehlo.contains("250 SIZE 1048576\r\n"), ehlo);
        }
    }

    @Test
    void declaredSizeIsCheckedAtMail() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(CONFIG).start(); RawSmtp c = connect(gw)) {
            assertEquals(TOO_BIG_REPLY, c.command("MAIL FROM:<a@x.test> SIZE=2000000"));
            assertEquals(TOO_BIG_REPLY, c.command("MAIL FROM:<a@x.test> SIZE=99999999999999"));
            assertEquals(TOO_BIG_REPLY, c.command("MAIL FROM:<a@x.test> SIZE=99999999999999999999")); // 20 digits
            assertEquals(TOO_BIG_REPLY, c.command("MAIL FROM:<a@x.test> SIZE=1048577"));
            assertEquals("501 5.5.4 Syntax error in SIZE parameter", c.command("MAIL FROM:<a@x.test> SIZE=abc"));
            assertEquals("501 5.5.4 Syntax error in SIZE parameter", c.command("MAIL FROM:<a@x.test> SIZE=-1"));
            assertEquals("501 5.5.4 Syntax error in SIZE parameter", c.command("MAIL FROM:<a@x.test> SIZE=12x"));
            // a refused MAIL leaves no transaction behind
            assertEquals("503 5.5.0 Need MAIL before RCPT", c.command("RCPT TO:<b@y.test>"));
            assertEquals(MAIL_OK, c.command("MAIL FROM:<a@x.test> SIZE=1048576"));
            assertEquals(RCPT_OK, c.command("RCPT TO:<b@y.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            String id = queuedId(c.command("Subject: s\r\n\r\nsmall\r\n."));
            assertEquals("{SIZE=1048576}", gw.capture().readEnvelope(id).mailParameters().toString());
            assertInStep(c);
        }
    }

    /** A message of exactly the limit is accepted; one octet more is not. */
    @Test
    void limitIsInclusive() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(CONFIG).start(); RawSmtp c = connect(gw)) {
            byte[] exact = message(LIMIT);
            startData(c);
            c.send(exact).send(".\r\n");
            String id = queuedId(c.lastLine());
            assertArrayEquals(exact, afterReceived(stored(gw, id), id));

            startData(c);
            c.send(message(LIMIT + 1)).send(".\r\n");
            assertEquals(TOO_BIG_REPLY, c.lastLine());
            assertInStep(c);
            assertEquals(1, gw.capture().list().size());
            awaitSpoolEmpty(gw, 5_000);
        }
    }

    @Test
    void streamedThreeMegabytesWithoutSizeAreRefusedAtTheDot() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(CONFIG).start(); RawSmtp c = connect(gw)) {
            startData(c);
            OutputStream out = c.socket().getOutputStream();
            out.write(bytes("Subject: big\r\n\r\n"));
            byte[] line = bytes("0123456789".repeat(7) + "abcdef\r\n"); // 78 octets
            for (long sent = 0; sent < 3L * LIMIT; sent += line.length) {
                out.write(line);
            }
            out.write(bytes(".\r\nNOOP\r\n"));
            out.flush();
            assertEquals(TOO_BIG_REPLY, c.lastLine());
            assertEquals(DataTestSupport.NOOP_OK, c.lastLine());
            assertInStep(c);
            assertEquals(List.of(), gw.capture().list());
            awaitSpoolEmpty(gw, 5_000);
        }
    }

    /** A CRLF message of exactly {@code size} octets (header, then lines of x's). */
    private static byte[] message(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(bytes("Subject: sized\r\n\r\n"));
        while (out.size() < size) {
            int left = size - out.size();
            int content = Math.min(76, left - 2);
            if (content < 0) { // cannot happen for the sizes used; keeps the arithmetic honest
                throw new IllegalStateException();
            }
            out.writeBytes(bytes("x".repeat(content) + "\r\n"));
        }
        assertEquals(size, out.size());
        return out.toByteArray();
    }
}
