package dev.moat.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.MimePart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The walk reads Content-Type and Content-Disposition with its own light parse instead of Mime4j's
 * descriptor builders; {@link ReferenceMimeWalker} is the walk built on those builders. Both must list
 * the same parts for every corpus message and for the awkward headers below, and the RFC 2231 cases
 * must decode to the names a mail client shows.
 */
class MimeWalkerTest {

    static Stream<Path> corpus() throws IOException {
        Path dir = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && dir == null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("corpus").resolve("mime");
            if (Files.isDirectory(candidate)) {
                dir = candidate;
            }
        }
        assertTrue(dir != null, "no shared/corpus/mime beside the checkout");
        // russian.msg: see anUnquotedEncodedWordAsANameIsDecoded
        List<Path> files = Files.list(dir).filter(f -> f.toString().endsWith(".msg"))
                .filter(f -> !f.getFileName().toString().equals("russian.msg")).sorted().toList();
        assertTrue(files.size() >= 40, "corpus looks incomplete: " + files.size());
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void listsTheSamePartsAsTheDescriptorBuilderWalkOnTheCorpus(Path message) throws IOException {
        byte[] bytes = Files.readAllBytes(message);
        assertEquals(reference(bytes), walk(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Content-Type: text/html; charset=utf-8",
        "Content-Type: TEXT/HTML",
        "Content-Type: text",
        "Content-Type: /plain",
        "Content-Type: ",
        "Content-Type: text/plain (a comment); charset=us-ascii",
        "Content-Type: image/png; name=\"a.png\"",
        "Content-Type: image/png; name=a.png\r\nContent-Type: text/html",
        "Content-Type: application/octet-stream;\r\n\tname=\"report.pdf\"",
        "Content-Disposition: attachment; filename=\"x.pdf\"",
        "Content-Disposition: ATTACHMENT; filename=x.pdf",
        "Content-Disposition: inline",
        "Content-Disposition: attachment; filename=\"=?UTF-8?B?aW52b2ljZS5leGU=?=\"",
        "Content-Disposition: attachment; filename=\"\"\r\nContent-Type: image/gif; name=y.gif",
        "Content-Disposition: attachment (a comment); filename=\"a \\\"b\\\".pdf\" (c)",
        "Content-Disposition: attachment; filename=a.pdf; filename=b.exe",
        "Content-Type: multipart/mixed",
        "Content-Type: multipart/mixed; boundary=\"b\"",
    })
    void listsTheSameSinglePartAsTheDescriptorBuilderWalk(String fields) throws IOException {
        byte[] bytes = ("From: a@b.test\r\n" + fields + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(reference(bytes), walk(bytes));
    }

    @Test
    void digestPartsDefaultToMessageRfc822AndOtherPartsToTextPlain() throws IOException {
        String m = "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: inner\r\n\r\nx\r\n"
                + "--d\r\nContent-Type: multipart/mixed; boundary=e\r\n\r\n--e\r\n\r\nplain\r\n--e--\r\n--d--\r\n";
        byte[] bytes = m.getBytes(StandardCharsets.US_ASCII);
        List<MimePart> parts = walk(bytes);
        assertEquals(List.of("multipart/digest", "message/rfc822", "text/plain", "multipart/mixed", "text/plain"),
                parts.stream().map(MimePart::contentType).toList());
        assertEquals(reference(bytes), parts);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "attachment; filename*=UTF-8''invoice%2Epdf%2Eexe|invoice.pdf.exe",
        "attachment; filename*=utf-8'en'r%C3%A9sum%C3%A9.doc|résumé.doc",
        "attachment; filename*=iso-8859-1''r%E9sum%E9.doc|résumé.doc",
        "attachment; filename*0=\"invoice.p\"; filename*1=\"df.exe\"|invoice.pdf.exe",
        "attachment; filename*0*=UTF-8''inv%6Fice; filename*1=\".pdf\"; filename*2*=%2Eexe|invoice.pdf.exe",
        "attachment; filename*1=\"b.exe\"; filename*0=\"a\"|ab.exe",
        "attachment; filename=\"harmless.pdf\"; filename*=UTF-8''evil.exe|evil.exe",
        "attachment; filename*=no-such-charset''%E9.txt|é.txt",
        "attachment; filename*=UTF-8''100%|100%",
    })
    void decodesRfc2231Names(String caseLine) throws IOException {
        String[] c = caseLine.split("\\|");
        byte[] bytes = ("Content-Disposition: " + c[0] + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals(Optional.of(c[1]), walk(bytes).get(0).filename());
    }

    @Test
    void anUnquotedEncodedWordAsANameIsDecoded() throws IOException {
        // Mime4j's JavaCC parser gives up on this field (RFC 2047 forbids encoded words in parameters,
        // yet mail clients decode them) and the descriptor walk reported no name at all: an attachment
        // block by extension could be passed by. russian.msg of the corpus has this header.
        byte[] bytes = ("Content-Type: text/plain; charset=\"US-ASCII\"; name==?koi8-r?B?89DJ08/LLmRvYw==?=\r\n"
                + "Content-Disposition: attachment; filename==?koi8-r?B?89DJ08/LLmRvYw==?=\r\n\r\nx\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(Optional.empty(), reference(bytes).get(0).filename());
        assertEquals(Optional.of("\u0421\u043f\u0438\u0441\u043e\u043a.doc"), walk(bytes).get(0).filename());
    }

    @Test
    void aQuotedPairInANameIsUnescaped() throws IOException {
        byte[] bytes = "Content-Disposition: attachment; filename=\"C:\\\\tmp\\\\a.ex\\e\"\r\n\r\nx\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(Optional.of("C:\\tmp\\a.exe"), walk(bytes).get(0).filename());
        assertEquals(reference(bytes), walk(bytes));
    }

    @Test
    void aMalformedDispositionStillYieldsItsFilename() throws IOException {
        // The descriptor walk reported the disposition "" and no name; a client still shows x.pdf.
        byte[] bytes = "Content-Disposition: ; filename=x.pdf\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Optional.empty(), walk(bytes).get(0).disposition());
        assertEquals(Optional.of("x.pdf"), walk(bytes).get(0).filename());
        // An unterminated quote runs to the end of the field (the descriptor walk dropped the name).
        bytes = "Content-Disposition: attachment; filename=\"x.exe\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Optional.of("x.exe"), walk(bytes).get(0).filename());
    }

    @Test
    void aNameAfterAGapInTheContinuationsIsCutAtTheGap() throws IOException {
        byte[] bytes = "Content-Disposition: attachment; filename*0=\"a\"; filename*2=\".exe\"\r\n\r\nx\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(Optional.of("a"), walk(bytes).get(0).filename());
    }

    private static List<MimePart> walk(byte[] bytes) throws IOException {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            return MimeWalker.walk(in);
        }
    }

    private static List<MimePart> reference(byte[] bytes) throws IOException {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            return ReferenceMimeWalker.walk(in);
        }
    }
}
