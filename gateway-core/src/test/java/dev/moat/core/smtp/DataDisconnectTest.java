package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.awaitSpoolEmpty;
import static dev.moat.core.smtp.DataTestSupport.awaitSpoolFiles;
import static dev.moat.core.smtp.DataTestSupport.bytes;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.sendTransaction;
import static dev.moat.core.smtp.DataTestSupport.startData;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static dev.moat.core.smtp.DataTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that goes away in the middle of DATA leaves nothing behind: no message, no spool file. */
class DataDisconnectTest {

    @TempDir
    Path dir;

    /** Sends about {@code kib} KiB of message lines after 354. */
    private static void sendHalfAMessage(RawSmtp c, int kib) throws Exception {
        OutputStream out = c.socket().getOutputStream();
        out.write(bytes("Subject: half\r\n\r\n"));
        byte[] line = bytes("h".repeat(126) + "\r\n"); // 128 octets with CRLF
        for (int i = 0; i < kib * 8; i++) {
            out.write(line);
        }
        out.flush();
    }

    @Test
    void closeMidDataAfterSpillLeavesNothing() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start()) {
            RawSmtp c = connect(gw);
            startData(c);
            sendHalfAMessage(c, 300);
            awaitSpoolFiles(gw, 1); // over memory-buffer (64KB): the message spilled to a file
            c.close();
            awaitSpoolEmpty(gw, 5_000);
            assertEquals(List.of(), gw.capture().list());
            assertTransactionsDrained(gw);
        }
    }

    @Test
    void resetMidDataAfterSpillLeavesNothing() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start()) {
            RawSmtp c = connect(gw);
            startData(c);
            sendHalfAMessage(c, 300);
            awaitSpoolFiles(gw, 1);
            c.socket().setSoLinger(true, 0); // close with RST
            c.close();
            awaitSpoolEmpty(gw, 5_000);
            assertEquals(List.of(), gw.capture().list());
            assertTransactionsDrained(gw);
        }
    }

    /** Half a line, no line ending yet: the spool file must go as well. */
    @Test
    void closeInTheMiddleOfALineLeavesNothing() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start()) {
            RawSmtp c = connect(gw);
            startData(c);
            sendHalfAMessage(c, 250);
            c.send("partial line without end".repeat(10));
            awaitSpoolFiles(gw, 1);
            c.close();
            awaitSpoolEmpty(gw, 5_000);
            assertEquals(List.of(), gw.capture().list());
            assertTransactionsDrained(gw);
        }
    }

    /** Disconnect while the message is still in memory, and after it already failed (too big). */
    @Test
    void closeMidDataInMemoryAndAfterFailureLeavesNothingAndOthersGoOn() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  max-message-size: 100KB\n").start();
                RawSmtp other = connect(gw)) {
            RawSmtp small = connect(gw);
            startData(small);
            small.send("Subject: small\r\n\r\nonly a little\r\n");
            RawSmtp big = connect(gw);
            startData(big);
            sendHalfAMessage(big, 200); // past the 100KB limit: writing stopped, spool discarded
            Thread.sleep(200);
            small.close();
            big.close();
            awaitSpoolEmpty(gw, 5_000);

            // an unrelated session is unaffected
            String id = queuedId(sendTransaction(other, bytes("Subject: other\r\n\r\nstill fine\r\n.\r\n")));
            assertEquals("Subject: other\r\n\r\nstill fine\r\n", text(afterReceived(stored(gw, id), id)));
            assertEquals(1, gw.capture().list().size());
            other.close();
            assertTransactionsDrained(gw);
        }
    }

    /**
     * A shutdown waits (up to its grace) only for transactions in progress. If an abandoned DATA were
     * still counted as in progress, this would take the whole 5 s grace.
     */
    private static void assertTransactionsDrained(TestGateway gw) {
        long start = System.nanoTime();
        gw.gateway().shutdown(Duration.ofSeconds(5));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 3_000, "shutdown waited " + millis + " ms: an abandoned transaction is still counted");
    }
}
