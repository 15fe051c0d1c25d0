package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.assertBareLineReply;
import static dev.moat.core.smtp.DataTestSupport.assertInStep;
import static dev.moat.core.smtp.DataTestSupport.assertNoBareLineEndings;
import static dev.moat.core.smtp.DataTestSupport.awaitSpoolEmpty;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.startData;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static dev.moat.core.smtp.DataTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A lone CR or LF anywhere in the message: 550 5.6.11 with {@code reject}, CRLF with {@code normalize}. */
class DataBareLineEndingTest {

    @TempDir
    Path dir;

    /** What is sent after 354 (without the final {@code .CRLF}), and what normalize must store. */
    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of("bare LF in body", "Subject: t\r\n\r\nline\nnext\r\n", "Subject: t\r\n\r\nline\r\nnext\r\n"),
                Arguments.of("bare CR in body", "Subject: t\r\n\r\nline\rnext\r\n", "Subject: t\r\n\r\nline\r\nnext\r\n"),
                Arguments.of("CR before CRLF", "Subject: t\r\n\r\nline\r\r\nnext\r\n", "Subject: t\r\n\r\nline\r\n\r\nnext\r\n"),
                Arguments.of("CR at end of last line", "Subject: t\r\n\r\nlast\r\r\n", "Subject: t\r\n\r\nlast\r\n\r\n"),
                Arguments.of("bare LF in header", "Subject: t\nX-A: b\r\n\r\nbody\r\n", "Subject: t\r\nX-A: b\r\n\r\nbody\r\n"),
                Arguments.of("only bare LFs", "Subject: t\n\nbody\n\r\n", "Subject: t\r\n\r\nbody\r\n\r\n"),
                Arguments.of("LF CR pair", "Subject: t\r\n\r\na\n\rb\r\n", "Subject: t\r\n\r\na\r\n\r\nb\r\n"));
    }

    @ParameterizedTest(name = "reject: {0}")
    @MethodSource("messages")
    void rejectRefusesWith550AndStoresNothing(String name, String message, String unused) throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            startData(c);
            c.send(message + ".\r\n");
            assertBareLineReply(c.lastLine());
            assertInStep(c);
            assertEquals(List.of(), gw.capture().list());
            awaitSpoolEmpty(gw, 5_000);
        }
    }

    @ParameterizedTest(name = "normalize: {0}")
    @MethodSource("messages")
    void normalizeStoresCrlf(String name, String message, String expected) throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  bare-line-endings: normalize\n").start();
                RawSmtp c = connect(gw)) {
            startData(c);
            c.send(message + ".\r\n");
            String id = queuedId(c.lastLine());
            assertInStep(c);
            byte[] eml = stored(gw, id);
            assertNoBareLineEndings(eml);
            assertEquals(expected, text(afterReceived(eml, id)));
            assertEquals(1, gw.capture().list().size());
            awaitSpoolEmpty(gw, 5_000);
        }
    }
}
