package dev.moat.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.MimePart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The part list of a single-part message is computed from its header without the streaming parser
 * (it dominated the cost of the data stage); it must be exactly what the full walk gives.
 */
class SinglePartShortcutTest {

    @TempDir
    Path dir;

    private List<MimePart> viaView(byte[] message) throws Exception {
        Spool spool = new Spool(dir.resolve("spool"), 1 << 20);
        SpooledMessage m = spool.create("t");
        m.write(message, 0, message.length);
        m.seal();
        try {
            return new SpooledMessageView(m).parts();
        } finally {
            m.discard();
        }
    }

    private static List<MimePart> fullWalk(byte[] message) throws Exception {
        return MimeWalker.walk(new ByteArrayInputStream(message));
    }

    private static byte[] crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void sameAnswerAsTheFullWalkForHandMadeMessages() throws Exception {
        List<String> messages = List.of(
                "Subject: plain\n\nbody\n",
                "Subject: none\n\n",
                "Content-Type: text/html; charset=utf-8\nSubject: x\n\n<p>hi</p>\n",
                "Content-Type: application/pdf; name=\"report.pdf\"\nContent-Disposition: attachment; filename=\"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\"\n\nJVBERi0=\n",
                "Content-Type: APPLICATION/OCTET-STREAM\nContent-Disposition: ATTACHMENT;\n filename*=utf-8''na%C3%AFve.exe\n\nAAAA\n",
                "Content-Type: text\n\nbroken type\n",
                "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b--\n",
                "Content-Type: message/rfc822\n\nSubject: inner\n\ninner body\n",
                "Content-Type: text/plain\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n",
                "From me\nSubject: not a header\n\nbody\n");
        for (String text : messages) {
            byte[] bytes = crlf(text);
            assertEquals(fullWalk(bytes), viaView(bytes), text);
        }
    }

    @Test
    void sameAnswerAsTheFullWalkForTheCorpus() throws Exception {
        Path corpus = corpus();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(corpus)) {
            list.filter(p -> p.toString().endsWith(".msg")).sorted().forEach(files::add);
        }
        assertTrue(files.size() > 40, "corpus not found complete: " + files.size());
        int shortcut = 0;
        for (Path file : files) {
            byte[] bytes = crlf(Files.readString(file, StandardCharsets.ISO_8859_1));
            assertEquals(fullWalk(bytes), viaView(bytes), file.getFileName().toString());
            SpooledMessageView probe = view(bytes);
            if (MimeWalker.singlePart(probe.headers(), headerLength(bytes), bytes.length) != null) {
                shortcut++;
            }
        }
        assertTrue(shortcut > 0, "no corpus message took the shortcut");
    }

    @Test
    void containersAndMalformedHeadersTakeTheFullWalk() throws Exception {
        assertNull(MimeWalker.singlePart(List.of(new dev.moat.filter.Header("Content-Type", "multipart/mixed; boundary=x")), 40, 100));
        assertNull(MimeWalker.singlePart(List.of(new dev.moat.filter.Header("Content-Type", "message/rfc822")), 30, 100));
        assertNull(MimeWalker.singlePart(List.of(), -1, 100));
        assertNotNull(MimeWalker.singlePart(List.of(), 2, 100));
    }

    private SpooledMessageView view(byte[] bytes) throws Exception {
        Spool spool = new Spool(dir.resolve("probe"), 1 << 20);
        SpooledMessage m = spool.create("p");
        m.write(bytes, 0, bytes.length);
        m.seal();
        return new SpooledMessageView(m);
    }

    private static long headerLength(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        return end < 0 ? -1 : end + 4;
    }

    private static Path corpus() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/corpus/mime");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            Path sibling = p.resolveSibling("shared").resolve("corpus/mime");
            if (Files.isDirectory(sibling)) {
                return sibling;
            }
        }
        throw new IllegalStateException("shared/corpus/mime not found");
    }
}
