package dev.moat.filters.sizelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.TestSession;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven tests of size-limit through the test kit. */
class SizeLimitTest {

    private static final String REJECT = "reject 552 5.3.4 Message size exceeds fixed maximum message size";

    private static final Map<String, Object> SETTINGS = Map.of(
            "max", "10KB",
            "per-listener", List.of("mx=5KB", "submission: 50KB"),
            "per-sender-domain", List.of("big.test=40KB", "*.small.test=1KB"),
            "per-recipient-domain", List.of("tiny.test=2KB", "*.tiny.test=3KB"));

    private static FilterHarness harness(Map<String, ?> settings, String listener) {
        return FilterHarness.of(new SizeLimitFactory(), settings)
                .session(TestSession.builder().listener(listener).build());
    }

    // ---------------------------------------------------------------------------------------------
    // MAIL FROM SIZE=

    @ParameterizedTest(name = "[{index}] {0} {1} SIZE={2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // the global max applies everywhere
        "other      | a@x.test        | 10240 | next",
        "other      | a@x.test        | 10241 | " + REJECT,
        "other      | a@x.test        | -     | next",
        // the listener's limit when smaller; the global max when the listener's is larger
        "mx         | a@x.test        | 5120  | next",
        "mx         | a@x.test        | 5121  | " + REJECT,
        "submission | a@x.test        | 20000 | " + REJECT,
        "MX         | a@x.test        | 6000  | " + REJECT,
        // a larger sender-domain limit does not lift the global max; a smaller one applies
        "other      | a@big.test      | 30000 | " + REJECT,
        "other      | a@sub.small.test| 1025  | " + REJECT,
        "other      | a@SUB.Small.Test| 1025  | " + REJECT,
        "other      | a@small.test    | 1025  | next",
        // the null sender has no domain
        "other      | <>              | 5000  | next",
        // a SIZE that is no number is the core's business (it refuses it before the stage)
        "other      | a@x.test        | 1e9   | next",
        "other      | a@x.test        | 99999999999999999999 | " + REJECT,
    })
    void mailFromChecksTheDeclaredSize(String listener, String sender, String size, String expected) {
        try (FilterHarness h = harness(SETTINGS, listener)) {
            Map<String, String> params = size == null ? Map.of() : Map.of("SIZE", size);
            assertEquals(expected, h.mailFrom(sender, params).verdict().toString());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // RCPT TO against the declared size

    @ParameterizedTest(name = "[{index}] SIZE={0} rcpt {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "2048 | b@tiny.test   | next",
        "2049 | b@tiny.test   | " + REJECT,
        "2049 | b@a.tiny.test | next",
        "3073 | b@a.tiny.test | " + REJECT,
        "3073 | b@a.b.tiny.test | " + REJECT,
        "9000 | b@other.test  | next",
        "-    | b@tiny.test   | next",
    })
    void rcptToChecksTheDeclaredSizeAgainstTheRecipientDomain(String size, String rcpt, String expected) {
        try (FilterHarness h = harness(SETTINGS, "other")) {
            h.mailFrom("a@x.test", size == null ? Map.of() : Map.of("SIZE", size));
            assertEquals(expected, h.rcptTo(rcpt).verdict().toString());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // DATA: the real size

    static Stream<Arguments> dataSizes() {
        return Stream.of(
                Arguments.of("other", "a@x.test", List.of("b@y.test"), 10240, "next"),
                Arguments.of("other", "a@x.test", List.of("b@y.test"), 10241, REJECT),
                Arguments.of("mx", "a@x.test", List.of("b@y.test"), 5121, REJECT),
                Arguments.of("other", "a@sub.small.test", List.of("b@y.test"), 1025, REJECT),
                Arguments.of("other", "a@x.test", List.of("b@y.test", "c@tiny.test"), 2049, REJECT),
                Arguments.of("other", "a@x.test", List.of("b@y.test", "c@tiny.test"), 2048, "next"),
                // a declared SIZE that lied does not help
                Arguments.of("other", "<>", List.of("b@y.test"), 10241, REJECT));
    }

    @ParameterizedTest(name = "[{index}] {0} {1} {2} {3} bytes -> {4}")
    @MethodSource("dataSizes")
    void dataChecksTheRealSize(String listener, String sender, List<String> rcpts, int size, String expected) {
        try (FilterHarness h = harness(SETTINGS, listener)) {
            h.mailFrom(sender, Map.of("SIZE", "100"));
            rcpts.forEach(h::rcptTo);
            assertEquals(expected, h.data(message(size)).verdict().toString());
        }
    }

    /** A message of exactly {@code size} octets (CRLF line endings). */
    static byte[] message(int size) {
        StringBuilder m = new StringBuilder("Subject: size\r\n\r\n");
        while (m.length() < size) {
            int line = Math.min(78, size - m.length() - 2);
            if (line < 0) {
                m.append("x");
                continue;
            }
            m.append("y".repeat(line)).append("\r\n");
        }
        byte[] bytes = m.toString().getBytes(StandardCharsets.US_ASCII);
        assertEquals(size, bytes.length);
        return bytes;
    }

    // ---------------------------------------------------------------------------------------------
    // Header section

    static Stream<Arguments> headerSections() {
        return Stream.of(
                Arguments.of("A: 1\r\nB: 2\r\n\r\nbody\r\nC: 3\r\n", 12, 2),
                Arguments.of("A: 1\r\n folded\r\n\tagain\r\nB: 2\r\n\r\nbody\r\n", 29, 2),
                Arguments.of("\r\nbody\r\n", 0, 0),
                Arguments.of("A: 1\r\nno field here\r\nB: 2\r\n\r\n", 6, 1),
                Arguments.of(" leading space\r\nA: 1\r\n\r\n", 0, 0),
                Arguments.of("A: 1\r\nB: 2", 10, 2),
                Arguments.of(":bad\r\n\r\n", 0, 0),
                Arguments.of("", 0, 0));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("headerSections")
    void headerSectionIsMeasuredLikeTheCoreReadsIt(String message, long bytes, int fields) throws Exception {
        byte[] raw = message.getBytes(StandardCharsets.ISO_8859_1);
        HeaderSection section = HeaderSection.measure(new ByteArrayInputStream(raw), Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(new HeaderSection(bytes, fields), section);
    }

    @Test
    void headerMeasurementStopsEarly() throws Exception {
        byte[] raw = ("A: " + "x".repeat(100_000) + "\r\nB: 1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        HeaderSection s = HeaderSection.measure(new ByteArrayInputStream(raw), 1000, Long.MAX_VALUE);
        assertTrue(s.bytes() > 1000 && s.bytes() < 1100, s.toString());
        byte[] many = "A: 1\r\n".repeat(50).concat("\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals(11, HeaderSection.measure(new ByteArrayInputStream(many), Long.MAX_VALUE, 10).fields());
    }

    static Stream<Arguments> headerLimits() {
        String fields3 = "From: a@x.test\nTo: b@y.test\nSubject: three\n\nbody\n";
        return Stream.of(
                Arguments.of(Map.of("max-header-fields", "3"), fields3, "next"),
                Arguments.of(Map.of("max-header-fields", "2"), fields3, "reject 554 5.6.0 Too many header fields"),
                // "From: a@x.test\r\n" 16 + "To: b@y.test\r\n" 14 + "Subject: three\r\n" 16 = 46 octets
                Arguments.of(Map.of("max-header-size", "46"), fields3, "next"),
                Arguments.of(Map.of("max-header-size", "45"), fields3,
                        "reject 552 5.3.4 Message header size exceeds fixed maximum size"),
                // the body never counts
                Arguments.of(Map.of("max-header-size", "46", "max-header-fields", "3"),
                        fields3 + "X: not a header\n".repeat(100), "next"),
                // folding counts as written
                Arguments.of(Map.of("max-header-size", "23"), "Subject: a\n b\n c\n d\n\nbody\n",
                        "reject 552 5.3.4 Message header size exceeds fixed maximum size"),
                Arguments.of(Map.of("max-header-size", "24"), "Subject: a\n b\n c\n d\n\nbody\n", "next"),
                // custom replies
                Arguments.of(Map.of("max-header-fields", "1", "header-fields-reply", "552 5.3.4 Header too big"),
                        fields3, "reject 552 5.3.4 Header too big"),
                Arguments.of(Map.of("max", "10", "size-reply", "452 4.3.1 Insufficient system storage"),
                        fields3, "tempfail 452 4.3.1 Insufficient system storage"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("headerLimits")
    void headerLimits(Map<String, Object> settings, String message, String expected) {
        try (FilterHarness h = harness(settings, "mx")) {
            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            assertEquals(expected, h.data(message).verdict().toString());
        }
    }

    @Test
    void noSettingsMeansNoLimits() {
        try (FilterHarness h = harness(Map.of(), "mx")) {
            assertEquals("next", h.mailFrom("a@x.test", Map.of("SIZE", "999999999999")).verdict().toString());
            assertEquals("next", h.rcptTo("b@y.test").verdict().toString());
            assertEquals("next", h.data(message(100_000)).verdict().toString());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Bad settings

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(Map.of("max", "10XB"), "max", "is not a size"),
                Arguments.of(Map.of("max", "0"), "max", "at least 1 byte"),
                Arguments.of(Map.of("per-listener", List.of("mx")), "per-listener", "is not 'name=size'"),
                Arguments.of(Map.of("per-listener", List.of("mx=ten")), "per-listener", "'ten' is not a size"),
                Arguments.of(Map.of("per-listener", Map.of("mx", "10MB")), "per-listener", "a YAML map is not readable"),
                Arguments.of(Map.of("per-listener", List.of(Map.of("mx", "10MB"))), "per-listener", "write each entry as a string"),
                Arguments.of(Map.of("per-sender-domain", List.of("*=1MB")), "per-sender-domain", "use 'max'"),
                Arguments.of(Map.of("per-sender-domain", List.of("a@b.test=1MB")), "per-sender-domain", "is not a domain"),
                Arguments.of(Map.of("per-recipient-domain", List.of("x.test=1MB", "X.test=2MB")), "per-recipient-domain",
                        "given twice"),
                Arguments.of(Map.of("per-recipient-domain", List.of("x.test=0")), "per-recipient-domain", "at least 1 byte"),
                Arguments.of(Map.of("max-header-fields", "0"), "max-header-fields", "at least 1"),
                Arguments.of(Map.of("max-header-fields", "many"), "max-header-fields", "not a whole number"),
                Arguments.of(Map.of("size-reply", "250 2.0.0 fine"), "size-reply", "4xx or 5xx"),
                Arguments.of(Map.of("size-reply", "552 4.3.4 mismatch"), "size-reply", "does not match"),
                Arguments.of(Map.of("header-size-reply", "552"), "header-size-reply", "is not a reply"),
                Arguments.of(Map.of("message-size", "1MB"), "message-size", "unknown setting"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badSettings")
    void badSettingsAreRefusedNamingTheKey(Map<String, Object> settings, String key, String reason) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new SizeLimitFactory(), new HashMap<>(settings)));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
