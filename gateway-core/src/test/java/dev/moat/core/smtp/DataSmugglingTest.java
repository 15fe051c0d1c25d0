package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.NOOP_OK;
import static dev.moat.core.smtp.DataTestSupport.assertBareLineReply;
import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.assertInStep;
import static dev.moat.core.smtp.DataTestSupport.assertNoBareLineEndings;
import static dev.moat.core.smtp.DataTestSupport.awaitSpoolEmpty;
import static dev.moat.core.smtp.DataTestSupport.bytes;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.sendTransaction;
import static dev.moat.core.smtp.DataTestSupport.startData;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static dev.moat.core.smtp.DataTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SMTP smuggling (shared/notes/james-protocols.md §7): an end-of-data look-alike in the middle of the
 * message, followed by a complete second transaction. Only {@code <CRLF>.<CRLF>} ends DATA, so for a
 * correct server the smuggled part's own final {@code \r\n.\r\n} is the one real end of the message:
 * exactly one reply comes, and the NOOP sent in the same write gets the next one. A server that ended
 * DATA at the look-alike would answer MAIL, RCPT, DATA and a second message first.
 */
class DataSmugglingTest {

    private static final String SMUGGLED = "MAIL FROM:<smuggled@evil.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\n"
            + "Subject: SMUGGLED\r\n\r\nevil\r\n.\r\n";

    @TempDir
    Path dir;

    /** The end-of-data look-alikes, and what {@code normalize} must make of "line1" + SEQ (see below). */
    static Stream<Arguments> sequences() {
        return Stream.of(
                Arguments.of("LF.CRLF", "\n.\r\n", "line1\r\n.\r\n"),
                Arguments.of("LF.LF", "\n.\n", "line1\r\n.\r\n"),
                Arguments.of("CR.CR", "\r.\r", "line1\r\n.\r\n"),
                Arguments.of("CRLF.LF", "\r\n.\n", "line1\r\n\r\n"),
                Arguments.of("CR.CRLF", "\r.\r\n", "line1\r\n.\r\n"),
                Arguments.of("CRLF.CR", "\r\n.\r", "line1\r\n\r\n"),
                Arguments.of("CRLF.xLF", "\r\n.x\n", "line1\r\nx\r\n"),
                Arguments.of("CRLF..LF", "\r\n..\n", "line1\r\n.\r\n"),
                Arguments.of("CRLF.NUL LF", "\r\n.\0\n", "line1\r\n\0\r\n"));
    }

    private static byte[] payload(String seq) {
        return bytes("Subject: legit\r\n\r\nline1" + seq + SMUGGLED);
    }

    @ParameterizedTest(name = "reject: {0}")
    @MethodSource("sequences")
    void rejectModeAnswersOnce550AndStoresNothing(String name, String seq, String unused) throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            startData(c);
            // The NOOP rides in the same write: its reply must be the second one.
            c.send(DataTestSupport.concat(payload(seq), bytes("NOOP\r\n")));
            assertBareLineReply(c.lastLine());
            assertEquals(NOOP_OK, c.lastLine(), "the reply after the DATA reply must be the NOOP's");
            assertInStep(c);
            assertEquals(List.of(), gw.capture().list(), "nothing may be stored");
            awaitSpoolEmpty(gw, 5_000);

            // The session is still usable: a clean message goes through and is the only one stored.
            String id = queuedId(sendTransaction(c, bytes("Subject: clean\r\n\r\nok\r\n.\r\n")));
            assertEquals(1, gw.capture().list().size());
            assertEquals("Subject: clean\r\n\r\nok\r\n", text(afterReceived(stored(gw, id), id)));
            assertEquals("a@x.test", gw.capture().readEnvelope(id).sender());
        }
    }

    /**
     * With {@code normalize}, the whole payload is one message whose bare CRs and LFs became CRLF;
     * a line that began with '.' right after a CRLF is un-stuffed (so ".\n" becomes an empty line,
     * "..\n" a "." line). What matters: one message, from the real sender, no bare line endings.
     */
    @ParameterizedTest(name = "normalize: {0}")
    @MethodSource("sequences")
    void normalizeModeStoresExactlyOneCleanMessage(String name, String seq, String expectedMiddle) throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  bare-line-endings: normalize\n").start();
                RawSmtp c = connect(gw)) {
            startData(c);
            c.send(DataTestSupport.concat(payload(seq), bytes("NOOP\r\n")));
            String id = queuedId(c.lastLine());
            assertEquals(NOOP_OK, c.lastLine(), "the reply after the DATA reply must be the NOOP's");
            assertInStep(c);

            List<StoredMessage> all = gw.capture().list();
            assertEquals(1, all.size(), "exactly one message, no smuggled second one");
            assertEquals(id, all.get(0).id());
            assertEquals("a@x.test", gw.capture().readEnvelope(id).sender());
            assertEquals(List.of("b@y.test"), gw.capture().readEnvelope(id).recipients());

            byte[] eml = stored(gw, id);
            assertNoBareLineEndings(eml);
            String message = text(afterReceived(eml, id));
            String header = message.substring(0, message.indexOf("\r\n\r\n") + 2);
            assertEquals("Subject: legit\r\n", header);
            assertFalse(header.contains("SMUGGLED"));
            assertEquals("Subject: legit\r\n\r\n" + expectedMiddle + "MAIL FROM:<smuggled@evil.test>\r\n"
                    + "RCPT TO:<victim@y.test>\r\nDATA\r\nSubject: SMUGGLED\r\n\r\nevil\r\n", message);
            awaitSpoolEmpty(gw, 5_000);
        }
    }

    /** A line cut short by the framer (overlong) and ended by a bare LF does not make the next "." an end. */
    @Test
    void overlongLineEndedByBareLfDoesNotEndDataAtFollowingDot() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            startData(c);
            c.send("Subject: legit\r\n\r\n" + "a".repeat(5000) + "\n.\r\n" + SMUGGLED + "NOOP\r\n");
            assertEquals(DataTestSupport.LONG_LINE_REPLY, c.lastLine());
            assertEquals(NOOP_OK, c.lastLine());
            assertInStep(c);
            assertEquals(List.of(), gw.capture().list());
        }
    }

    /** Bare LF before the end of data in normalize mode: ".\r\n" after "x\n" is content, not the end. */
    @Test
    void normalizeModeDoesNotEndAtDotAfterBareLf() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  bare-line-endings: normalize\n").start();
                RawSmtp c = connect(gw)) {
            startData(c);
            c.send("Subject: a\r\n\r\nx\n.\r\ny\r\n.\r\n");
            String id = queuedId(c.lastLine());
            assertInStep(c);
            assertEquals("Subject: a\r\n\r\nx\r\n.\r\ny\r\n", text(afterReceived(stored(gw, id), id)));
        }
    }
}
