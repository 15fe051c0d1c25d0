package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.LONG_LINE_REPLY;
import static dev.moat.core.smtp.DataTestSupport.NOOP_OK;
import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.assertInStep;
import static dev.moat.core.smtp.DataTestSupport.awaitSpoolEmpty;
import static dev.moat.core.smtp.DataTestSupport.bytes;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.sendTransaction;
import static dev.moat.core.smtp.DataTestSupport.startData;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static dev.moat.core.smtp.DataTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lines over {@code max-data-line-length} (998): one {@code 554 5.6.0} at the final dot, never a reply
 * in the middle of DATA (that would put a pipelining client out of step), nothing stored.
 */
class DataLongLineTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} octets")
    @ValueSource(ints = {999, 1000, 1001, 10_000, 100_000, 1_000_000})
    void overlongLineFailsOnceAtTheDot(int length) throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            startData(c);
            // The NOOP follows in the same write: its reply must come right after the one DATA reply.
            c.send("Subject: long\r\n\r\nbefore\r\n" + "L".repeat(length) + "\r\nafter\r\n.\r\nNOOP\r\n");
            assertEquals(LONG_LINE_REPLY, c.lastLine());
            assertEquals(NOOP_OK, c.lastLine());
            assertInStep(c);
            assertEquals(List.of(), gw.capture().list());
            awaitSpoolEmpty(gw, 5_000);

            // the session goes on: a normal message is accepted afterwards
            String id = queuedId(sendTransaction(c, bytes("Subject: ok\r\n\r\nfine\r\n.\r\n")));
            assertEquals("Subject: ok\r\n\r\nfine\r\n", text(afterReceived(stored(gw, id), id)));
        }
    }

    @Test
    void overlongLineAsTheLastLineBeforeTheDot() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            startData(c);
            c.send("Subject: long\r\n\r\n" + "z".repeat(50_000) + "\r\n.\r\n");
            assertEquals(LONG_LINE_REPLY, c.lastLine());
            assertInStep(c);
            assertEquals(List.of(), gw.capture().list());
        }
    }

    /** A long line dribbled in small writes, its CR and LF in separate writes. */
    @Test
    void overlongLineArrivingInPieces() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            startData(c);
            c.send("Subject: pieces\r\n\r\n");
            for (int i = 0; i < 20; i++) {
                c.send("p".repeat(500));
                Thread.sleep(5);
            }
            c.send("\r");
            Thread.sleep(50);
            c.send("\n");
            Thread.sleep(50);
            c.send(".\r\n");
            assertEquals(LONG_LINE_REPLY, c.lastLine());
            assertInStep(c);
            assertEquals(List.of(), gw.capture().list());
        }
    }

    @Test
    void lineOfExactly998OctetsIsAccepted() throws Exception {
        String line = "a".repeat(998);
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            String id = queuedId(sendTransaction(c, bytes("Subject: 998\r\n\r\n" + line + "\r\n" + line + "\r\n.\r\n")));
            assertInStep(c);
            assertEquals("Subject: 998\r\n\r\n" + line + "\r\n" + line + "\r\n", text(afterReceived(stored(gw, id), id)));
        }
    }

    /** After a finished DATA, an overlong command line is a command problem again: 500 5.5.2. */
    @Test
    void overlongCommandAfterAFinishedTransactionGets500() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            queuedId(sendTransaction(c, bytes("Subject: a\r\n\r\nb\r\n.\r\n")));
            assertEquals("500 5.5.2 Line too long", c.command("NOOP " + "x".repeat(5000)));
            assertInStep(c);
            startData(c);
            c.send("Subject: x\r\n\r\n" + "y".repeat(2000) + "\r\n.\r\n");
            assertEquals(LONG_LINE_REPLY, c.lastLine());
            assertEquals("500 5.5.2 Line too long", c.command("NOOP " + "x".repeat(5000)));
            assertInStep(c);
        }
    }
}
