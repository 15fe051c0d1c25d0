package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.BYE;
import static dev.moat.core.smtp.DataTestSupport.GO_AHEAD;
import static dev.moat.core.smtp.DataTestSupport.LONG_LINE_REPLY;
import static dev.moat.core.smtp.DataTestSupport.MAIL_OK;
import static dev.moat.core.smtp.DataTestSupport.NOOP_OK;
import static dev.moat.core.smtp.DataTestSupport.RCPT_OK;
import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.assertBareLineReply;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static dev.moat.core.smtp.DataTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 2920: whole transactions in one write are answered in order, one reply per command or message. */
class PipeliningTransactionsTest {

    private static final String TX1 = "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n"
            + "Subject: first\r\n\r\nbody one\r\n..dot\r\n.\r\n";
    private static final String TX2 = "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n"
            + "Subject: second\r\n\r\nbody two\r\n.\r\n";

    @TempDir
    Path dir;

    @Test
    void advertisesPipelining() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n");
            assertTrue(c.reply().contains("250-PIPELINING\r\n"));
        }
    }

    @Test
    void twoTransactionsNoopAndQuitInOneWrite() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            c.send(TX1 + TX2 + "NOOP\r\nQUIT\r\n");
            List<String> replies = c.replies(10);
            assertEquals(List.of(MAIL_OK, RCPT_OK, GO_AHEAD), replies.subList(0, 3));
            String id1 = queuedId(replies.get(3));
            assertEquals(List.of(MAIL_OK, RCPT_OK, GO_AHEAD), replies.subList(4, 7));
            String id2 = queuedId(replies.get(7));
            assertEquals(List.of(NOOP_OK, BYE), replies.subList(8, 10));
            assertTrue(c.closedByServer());

            assertNotEquals(id1, id2);
            assertEquals(2, gw.capture().list().size());
            assertEquals("Subject: first\r\n\r\nbody one\r\n.dot\r\n", text(afterReceived(stored(gw, id1), id1)));
            assertEquals("Subject: second\r\n\r\nbody two\r\n", text(afterReceived(stored(gw, id2), id2)));
        }
    }

    /** Failed messages in the pipeline still get exactly one reply each, so what follows stays in step. */
    @Test
    void failedMessagesInThePipelineKeepTheRepliesInStep() throws Exception {
        String bare = "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: bare\r\n\r\nx\ny\r\n.\r\n";
        String longLine = "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: long\r\n\r\n"
                + "q".repeat(3000) + "\r\n.\r\n";
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            c.send(bare + longLine + TX2 + "NOOP\r\nQUIT\r\n");
            List<String> replies = c.replies(14);
            assertEquals(List.of(MAIL_OK, RCPT_OK, GO_AHEAD), replies.subList(0, 3));
            assertBareLineReply(replies.get(3));
            assertEquals(List.of(MAIL_OK, RCPT_OK, GO_AHEAD, LONG_LINE_REPLY, MAIL_OK, RCPT_OK, GO_AHEAD),
                    replies.subList(4, 11));
            String id = queuedId(replies.get(11));
            assertEquals(List.of(NOOP_OK, BYE), replies.subList(12, 14));
            assertTrue(c.closedByServer());
            assertEquals(1, gw.capture().list().size());
            assertEquals("Subject: second\r\n\r\nbody two\r\n", text(afterReceived(stored(gw, id), id)));
        }
    }

    /** The same pipeline, delivered one byte per write: framing does not depend on how bytes arrive. */
    @Test
    void pipelineDribbledByteByByte() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            c.socket().setTcpNoDelay(true);
            for (byte b : DataTestSupport.bytes(TX1 + TX2 + "NOOP\r\n")) {
                c.send(new byte[] {b});
            }
            List<String> replies = c.replies(9);
            String id1 = queuedId(replies.get(3));
            String id2 = queuedId(replies.get(7));
            assertEquals(List.of(MAIL_OK, RCPT_OK, GO_AHEAD, MAIL_OK, RCPT_OK, GO_AHEAD, NOOP_OK),
                    List.of(replies.get(0), replies.get(1), replies.get(2), replies.get(4), replies.get(5),
                            replies.get(6), replies.get(8)));
            assertEquals("Subject: first\r\n\r\nbody one\r\n.dot\r\n", text(afterReceived(stored(gw, id1), id1)));
            assertEquals("Subject: second\r\n\r\nbody two\r\n", text(afterReceived(stored(gw, id2), id2)));
            DataTestSupport.assertInStep(c);
        }
    }
}
