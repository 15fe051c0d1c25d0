package dev.moat.filters.attachmentpolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.DataContext;
import dev.moat.filter.Envelope;
import dev.moat.filter.EnvelopeMutations;
import dev.moat.filter.HeaderMutations;
import dev.moat.filter.Header;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.MessageView;
import dev.moat.filter.MimePart;
import dev.moat.filter.Notes;
import dev.moat.filter.SessionInfo;
import dev.moat.filter.Verdict;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.TestSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven tests of attachment-policy through the test kit (and so through the core's real MIME walk). */
class AttachmentPolicyTest {

    static Verdict run(Map<String, ?> settings, byte[] message) {
        try (FilterHarness h = FilterHarness.of(new AttachmentPolicyFactory(), settings)) {
            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            return h.data(message).verdict();
        }
    }

    static Verdict run(Map<String, ?> settings, String message) {
        return run(settings, crlf(message).getBytes(StandardCharsets.UTF_8));
    }

    static String crlf(String s) {
        return s.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    /** A multipart/mixed message with a text part and one attachment described by its header lines. */
    static String withAttachment(String... partHeaders) {
        return "From: a@x.test\nSubject: files\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
                + "--b1\nContent-Type: text/plain\n\nsee attached\n"
                + "--b1\n" + String.join("\n", partHeaders) + "\n\nAAAA\n"
                + "--b1--\n";
    }

    // ---------------------------------------------------------------------------------------------
    // File names

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        "invoice.pdf.exe       | exe",
        "INVOICE.PDF.EXE       | exe",
        "report.Scr            | scr",
        "trailing.exe.         | exe",
        "'trailing.exe .. '    | exe",
        "C:\\tmp\\setup.msi    | msi",
        "dir/sub/run.js        | js",
        "archive.tar.gz        | gz",
        ".hidden               | hidden",
        "noextension           | ''",
        "dots...               | ''",
        "'  '                  | ''",
    })
    void lastExtension(String filename, String extension) {
        assertEquals(extension, AttachmentPolicyFilter.extension(filename));
    }

    @Test
    void extensionIgnoresTrailingControlAndUnicodeSpaces() {
        assertEquals("exe", AttachmentPolicyFilter.extension("evil.exe\u0000"));
        assertEquals("exe", AttachmentPolicyFilter.extension("evil.exe\u3000"));
        assertEquals("exe", AttachmentPolicyFilter.extension("photo\u202Egpj.exe"));
    }

    // ---------------------------------------------------------------------------------------------
    // Verdicts

    private static final String EXE_REPLY = "reject 554 5.7.1 Attachment invoice.pdf.exe blocked by rule extension .exe";

    static Stream<Arguments> verdicts() {
        Map<String, Object> defaults = Map.of();
        return Stream.of(
                Arguments.of(defaults, withAttachment("Content-Type: application/pdf",
                        "Content-Disposition: attachment; filename=\"invoice.pdf\""), "next"),
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream",
                        "Content-Disposition: attachment; filename=\"invoice.pdf.exe\""), EXE_REPLY),
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream",
                        "Content-Disposition: attachment; filename=\"REPORT.SCR\""),
                        "reject 554 5.7.1 Attachment REPORT.SCR blocked by rule extension .scr"),
                // the name only in Content-Type, inline disposition, no disposition at all
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream; name=\"invoice.pdf.exe\""), EXE_REPLY),
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream",
                        "Content-Disposition: inline; filename=invoice.pdf.exe"), EXE_REPLY),
                // RFC 2231 (charset, percent-encoding, continuations) and RFC 2047 names, decoded by the core
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream",
                        "Content-Disposition: attachment; filename*=UTF-8''invoice%2Epdf%2Eexe"), EXE_REPLY),
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream",
                        "Content-Disposition: attachment; filename*0=\"invoice.p\"; filename*1=\"df.exe\""), EXE_REPLY),
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream;",
                        " name=\"=?UTF-8?B?aW52b2ljZS5wZGYuZXhl?=\""), EXE_REPLY),
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream;",
                        " name=\"=?ISO-8859-1?Q?r=E9sum=E9.pdf.exe?=\""),
                        "reject 554 5.7.1 Attachment r?sum?.pdf.exe blocked by rule extension .exe"),
                // Windows drops trailing dots and spaces
                Arguments.of(defaults, withAttachment("Content-Type: application/octet-stream",
                        "Content-Disposition: attachment; filename=\"invoice.pdf.exe.\""),
                        "reject 554 5.7.1 Attachment invoice.pdf.exe. blocked by rule extension .exe"),
                // declared content types, with or without a name
                Arguments.of(defaults, withAttachment("Content-Type: application/x-msdownload"),
                        "reject 554 5.7.1 Attachment application/x-msdownload blocked by rule content-type application/x-msdownload"),
                Arguments.of(defaults, withAttachment("Content-Type: Application/X-MSDownload; name=setup.bin"),
                        "reject 554 5.7.1 Attachment setup.bin blocked by rule content-type application/x-msdownload"),
                Arguments.of(Map.of("blocked-content-types", List.of("application/*")),
                        withAttachment("Content-Type: application/pdf; name=a.pdf"),
                        "reject 554 5.7.1 Attachment a.pdf blocked by rule content-type application/*"),
                Arguments.of(Map.of("blocked-content-types", List.of("application/x-ms*")),
                        withAttachment("Content-Type: application/x-msi; name=a.bin"),
                        "reject 554 5.7.1 Attachment a.bin blocked by rule content-type application/x-ms*"),
                // own lists replace the defaults; an empty list blocks nothing
                Arguments.of(Map.of("blocked-extensions", List.of(".PDF")), withAttachment(
                        "Content-Type: application/pdf; name=a.pdf"),
                        "reject 554 5.7.1 Attachment a.pdf blocked by rule extension .pdf"),
                Arguments.of(Map.of("blocked-extensions", List.of()), withAttachment(
                        "Content-Type: application/octet-stream; name=invoice.pdf.exe"), "next"),
                // quarantine instead of reject
                Arguments.of(Map.of("action", "quarantine"), withAttachment(
                        "Content-Type: application/octet-stream; name=invoice.pdf.exe"),
                        "quarantine (attachment-policy: attachment invoice.pdf.exe blocked by rule extension .exe)"),
                // a custom reply with both placeholders
                Arguments.of(Map.of("reject-reply", "550 5.7.0 No {rule} files please ({name})"), withAttachment(
                        "Content-Type: application/octet-stream; name=invoice.pdf.exe"),
                        "reject 550 5.7.0 No extension .exe files please (invoice.pdf.exe)"),
                // an attachment inside an attached message
                Arguments.of(defaults, "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\n"
                        + "Subject: fwd\nContent-Type: multipart/mixed; boundary=i\n\n--i\n"
                        + "Content-Type: application/zip; name=\"x.zip\"\n\nZZ\n--i\n"
                        + "Content-Type: application/octet-stream; name=\"deep.vbs\"\n\nYY\n--i--\n--o--\n",
                        "reject 554 5.7.1 Attachment deep.vbs blocked by rule extension .vbs"),
                // not MIME at all
                Arguments.of(defaults, "Subject: plain\n\njust text\n", "next"));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("verdicts")
    void verdicts(Map<String, Object> settings, String message, String expected) {
        assertEquals(expected, run(settings, message).toString());
    }

    // ---------------------------------------------------------------------------------------------
    // Limits and MIME bombs

    /** {@code depth} multiparts nested in each other, a text part at the bottom. */
    static String nested(int depth) {
        StringBuilder m = new StringBuilder("Subject: deep\r\nMIME-Version: 1.0\r\n");
        for (int i = 0; i < depth; i++) {
            m.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n--b").append(i).append("\r\n");
        }
        m.append("Content-Type: text/plain\r\n\r\nbottom\r\n");
        for (int i = depth - 1; i >= 0; i--) {
            m.append("--b").append(i).append("--\r\n");
        }
        return m.toString();
    }

    /** A multipart/mixed message with {@code parts} small text parts. */
    static String manyParts(int parts) {
        StringBuilder m = new StringBuilder("Subject: wide\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"w\"\r\n\r\n");
        for (int i = 0; i < parts; i++) {
            m.append("--w\r\n\r\n").append(i).append("\r\n");
        }
        return m.append("--w--\r\n").toString();
    }

    static Stream<Arguments> limits() {
        return Stream.of(
                Arguments.of(Map.of("max-depth", 3), nested(3), "next"),
                Arguments.of(Map.of("max-depth", 3), nested(4), "reject 554 5.7.1 Message blocked by rule max-depth 3"),
                Arguments.of(Map.of(), nested(20), "next"),
                Arguments.of(Map.of(), nested(200), "reject 554 5.7.1 Message blocked by rule max-depth 20"),
                Arguments.of(Map.of("max-parts", 5), manyParts(4), "next"),
                Arguments.of(Map.of("max-parts", 5), manyParts(5), "reject 554 5.7.1 Message blocked by rule max-parts 5"),
                Arguments.of(Map.of(), manyParts(10_000), "reject 554 5.7.1 Message blocked by rule max-parts 1000"),
                Arguments.of(Map.of("max-parts", 9999), manyParts(10_000),
                        "reject 554 5.7.1 Message blocked by rule max-parts 9999"),
                Arguments.of(Map.of("action", "quarantine", "max-depth", 3), nested(10),
                        "quarantine (attachment-policy: message blocked by rule max-depth 3)"),
                Arguments.of(Map.of("limit-reply", "552 5.3.4 Too complex: {rule}"), manyParts(2000),
                        "reject 552 5.3.4 Too complex: max-parts 1000"));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("limits")
    void limits(Map<String, Object> settings, String message, String expected) {
        long start = System.nanoTime();
        assertEquals(expected, run(settings, message).toString());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "took too long");
    }

    // ---------------------------------------------------------------------------------------------
    // Malformed MIME

    private static final String NO_BOUNDARY = "Subject: broken\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"right\"\n\n"
            + "--wrong\nContent-Type: application/octet-stream; name=evil.exe\n\nAAAA\n--wrong--\n";

    @ParameterizedTest(name = "[{index}] on-malformed {0}")
    @CsvSource(delimiter = '|', value = {
        "accept     | next",
        "reject     | reject 554 5.6.0 Malformed MIME structure",
        "quarantine | quarantine (attachment-policy: malformed MIME: a multipart/mixed entity at depth 0 has no parts (boundary missing))",
    })
    void multipartWithoutItsBoundaryIsMalformed(String onMalformed, String expected) {
        assertEquals(expected, run(Map.of("on-malformed", onMalformed), NO_BOUNDARY).toString());
    }

    @Test
    void aBlockedAttachmentWinsOverMalformation() {
        String message = "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/alternative; boundary=gone\n\n"
                + "text\n--o\nContent-Type: application/octet-stream; name=a.exe\n\nx\n--o--\n";
        assertEquals("reject 554 5.7.1 Attachment a.exe blocked by rule extension .exe",
                run(Map.of("on-malformed", "quarantine"), message).toString());
        assertEquals("reject 554 5.6.0 Malformed MIME structure",
                run(Map.of("on-malformed", "reject", "blocked-extensions", List.of()), message).toString());
    }

    // ---------------------------------------------------------------------------------------------
    // Metrics

    private static Verdict deliver(FilterHarness h, String message) {
        h.mailFrom("a@x.test");
        h.rcptTo("b@y.test");
        return h.data(message).verdict();
    }

    @Test
    void blockedMessagesAreCountedByReason() {
        try (FilterHarness h = FilterHarness.of(new AttachmentPolicyFactory(),
                Map.of("max-depth", 3, "max-parts", 5, "on-malformed", "reject"))) {
            assertEquals("next", deliver(h, withAttachment("Content-Type: application/pdf; name=\"report.pdf\"")).toString());
            assertTrue(deliver(h, withAttachment("Content-Type: application/octet-stream; name=\"run.exe\"")).toString()
                    .startsWith("reject"));
            assertTrue(deliver(h, withAttachment("Content-Type: application/zip",
                    "Content-Disposition: attachment; filename=\"setup.MSI\"")).toString().startsWith("reject"));
            assertEquals("reject 554 5.7.1 Attachment file.bin blocked by rule content-type application/x-msdownload",
                    deliver(h, withAttachment("Content-Type: application/x-msdownload; name=\"file.bin\"")).toString());
            assertEquals("reject 554 5.7.1 Message blocked by rule max-depth 3", deliver(h, nested(4)).toString());
            assertEquals("reject 554 5.7.1 Message blocked by rule max-parts 5", deliver(h, manyParts(5)).toString());
            assertEquals("reject 554 5.6.0 Malformed MIME structure", deliver(h, NO_BOUNDARY).toString());
            assertEquals(2.0, h.counter("attachments.blocked", "reason", "extension"));
            assertEquals(1.0, h.counter("attachments.blocked", "reason", "content-type"));
            assertEquals(1.0, h.counter("attachments.blocked", "reason", "depth"));
            assertEquals(1.0, h.counter("attachments.blocked", "reason", "parts"));
            assertEquals(1.0, h.counter("attachments.blocked", "reason", "malformed"));
        }
    }

    @Test
    void quarantinedMessagesCountAsBlockedAndAcceptedMalformedOnesDoNot() {
        try (FilterHarness h = FilterHarness.of(new AttachmentPolicyFactory(),
                Map.of("action", "quarantine", "on-malformed", "accept"))) {
            assertTrue(deliver(h, withAttachment("Content-Type: application/octet-stream; name=\"run.exe\"")).toString()
                    .startsWith("quarantine"));
            assertEquals("next", deliver(h, NO_BOUNDARY).toString());
            assertEquals(1.0, h.counter("attachments.blocked", "reason", "extension"));
            assertEquals(0.0, h.counter("attachments.blocked", "reason", "malformed"));
        }
        try (FilterHarness h = FilterHarness.of(new AttachmentPolicyFactory(), Map.of("on-malformed", "quarantine"))) {
            assertTrue(deliver(h, NO_BOUNDARY).toString().startsWith("quarantine"));
            assertEquals(1.0, h.counter("attachments.blocked", "reason", "malformed"));
        }
    }

    @Test
    void aFailingWalkIsMalformed() throws Exception {
        AttachmentPolicyFilter filter = (AttachmentPolicyFilter) FilterHarness.of(new AttachmentPolicyFactory(),
                Map.of("on-malformed", "reject")).filter();
        assertEquals("reject 554 5.6.0 Malformed MIME structure", filter.data(new BrokenData(new IOException("boom"))).toString());
        assertEquals("reject 554 5.6.0 Malformed MIME structure",
                filter.data(new BrokenData(new IllegalStateException("bug"))).toString());
        assertEquals("reject 554 5.6.0 Malformed MIME structure", filter.data(new BrokenData(null)).toString());
    }

    /** Every corpus message goes through without an exception, and only badbound.msg counts as malformed. */
    @Test
    void corpusNeverCrashesTheFilter() throws Exception {
        Path corpus = corpus();
        List<Path> files;
        try (Stream<Path> list = Files.list(corpus)) {
            files = list.filter(p -> p.toString().endsWith(".msg")).sorted().toList();
        }
        assertTrue(files.size() > 40, "corpus at " + corpus);
        Map<String, String> malformed = new HashMap<>();
        for (Path file : files) {
            Verdict v = run(Map.of("on-malformed", "reject", "blocked-extensions", List.of()), corpusMessage(file));
            if (!v.toString().equals("next")) {
                malformed.put(file.getFileName().toString(), v.toString());
            }
        }
        assertEquals(Map.of("badbound.msg", "reject 554 5.6.0 Malformed MIME structure"), malformed);
    }

    @ParameterizedTest
    @CsvSource({"attachment-filename-encoding-Latin1.msg", "attachment-filename-encoding-UTF8.msg"})
    void encodedCorpusNamesAreDecoded(String name) throws Exception {
        byte[] message = corpusMessage(corpus().resolve(name));
        assertEquals("reject 554 5.7.1 Attachment attachment.??? blocked by rule extension .???",
                run(Map.of("blocked-extensions", List.of("ÄÖÜ")), message).toString());
        assertEquals("quarantine (attachment-policy: attachment attachment.äöü blocked by rule extension .äöü)",
                run(Map.of("blocked-extensions", List.of("äöü"), "action", "quarantine"), message).toString());
        assertEquals("next", run(Map.of(), message).toString());
    }

    // ---------------------------------------------------------------------------------------------
    // Bad settings

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(Map.of("blocked-extensions", List.of("tar.gz")), "blocked-extensions", "not a file name extension"),
                Arguments.of(Map.of("blocked-extensions", List.of("")), "blocked-extensions", "not a file name extension"),
                Arguments.of(Map.of("blocked-content-types", List.of("exe")), "blocked-content-types", "not a content type"),
                Arguments.of(Map.of("max-depth", 0), "max-depth", "1 to 1000"),
                Arguments.of(Map.of("max-parts", 10_000), "max-parts", "1 to 9999"),
                Arguments.of(Map.of("action", "accept"), "action", "must be reject or quarantine"),
                Arguments.of(Map.of("action", "drop"), "action", "must be reject or quarantine"),
                Arguments.of(Map.of("on-malformed", "ignore"), "on-malformed", "must be accept, reject or quarantine"),
                Arguments.of(Map.of("reject-reply", "250 2.0.0 x"), "reject-reply", "4xx or 5xx"),
                Arguments.of(Map.of("malformed-reply", "554 4.6.0 x"), "malformed-reply", "does not match"),
                Arguments.of(Map.of("blocked", "exe"), "blocked", "unknown setting"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badSettings")
    void badSettingsAreRefusedNamingTheKey(Map<String, Object> settings, String key, String reason) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new AttachmentPolicyFactory(), new HashMap<>(settings)));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** {@code shared/corpus/mime}, found by walking up from the working directory. */
    static Path corpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpus").resolve("mime");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/corpus/mime above " + Path.of("").toAbsolutePath());
    }

    /** A corpus file as a client sends it: an mbox From line dropped, CRLF line endings. */
    static byte[] corpusMessage(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        if (text.startsWith("From ")) {
            text = text.substring(text.indexOf('\n') + 1);
        }
        text = crlf(text);
        if (!text.endsWith("\r\n")) {
            text += "\r\n";
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A DATA context whose MIME walk fails with {@code failure}, or finds nothing when it is null. */
    private record BrokenData(Exception failure) implements DataContext {
        @Override
        public MessageView message() {
            return new MessageView() {
                @Override
                public long size() {
                    return 0;
                }

                @Override
                public List<Header> headers() {
                    return List.of();
                }

                @Override
                public InputStream openStream() {
                    return InputStream.nullInputStream();
                }

                @Override
                public List<MimePart> parts() throws IOException {
                    if (failure instanceof IOException io) {
                        throw io;
                    }
                    if (failure instanceof RuntimeException re) {
                        throw re;
                    }
                    return List.of();
                }
            };
        }

        @Override
        public HeaderMutations headers() {
            throw new UnsupportedOperationException();
        }

        @Override
        public EnvelopeMutations envelopeMutations() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Envelope envelope() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Notes transactionNotes() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SessionInfo session() {
            return TestSession.defaults();
        }

        @Override
        public Notes connectionNotes() {
            throw new UnsupportedOperationException();
        }
    }
}
