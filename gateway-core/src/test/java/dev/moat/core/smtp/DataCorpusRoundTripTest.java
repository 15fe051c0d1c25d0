package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.LONG_LINE_REPLY;
import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.assertInStep;
import static dev.moat.core.smtp.DataTestSupport.awaitSpoolEmpty;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.corpusDirectory;
import static dev.moat.core.smtp.DataTestSupport.hasLineLongerThan;
import static dev.moat.core.smtp.DataTestSupport.lfToCrlf;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.sendTransaction;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static dev.moat.core.smtp.DataTestSupport.wire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every message of the MIME corpus ({@code shared/corpus/mime/*.msg}) through SMTP on one connection,
 * back to back without RSET: the stored bytes after Moat's Received field must equal the CRLF form of
 * the file exactly (a file not ending in a line break gets a CRLF, as any SMTP client adds one).
 */
class DataCorpusRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyCorpusMessageIsStoredByteForByte() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(corpusDirectory())) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".msg")).sorted().toList();
        }
        assertTrue(files.size() >= 40, "corpus looks incomplete: " + files);
        List<String> mismatches = new ArrayList<>();
        int stored = 0;
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            for (Path file : files) {
                byte[] original = lfToCrlf(Files.readAllBytes(file));
                if (original.length > 0 && original[original.length - 1] != '\n') {
                    original = Arrays.copyOf(original, original.length + 2);
                    original[original.length - 2] = '\r';
                    original[original.length - 1] = '\n';
                }
                String reply = sendTransaction(c, wire(original));
                if (hasLineLongerThan(original, 998)) {
                    assertEquals(LONG_LINE_REPLY, reply, file.getFileName().toString());
                    continue;
                }
                String id;
                try {
                    id = queuedId(reply);
                } catch (AssertionError e) {
                    mismatches.add(file.getFileName() + ": " + reply);
                    continue;
                }
                stored++;
                byte[] got = afterReceived(stored(gw, id), id);
                if (!Arrays.equals(original, got)) {
                    mismatches.add(file.getFileName() + ": stored bytes differ at offset "
                            + Arrays.mismatch(original, got) + " (sent " + original.length + ", stored " + got.length + ")");
                }
            }
            assertInStep(c);
            assertEquals(stored, gw.capture().list().size());
            awaitSpoolEmpty(gw, 5_000);
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " of " + files.size() + " corpus messages not round-tripped:\n"
                    + String.join("\n", mismatches));
        }
    }
}
