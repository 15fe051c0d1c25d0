package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1048576, 1048576",
        "512B, 512",
        "512b, 512",
        "1KB, 1024",
        "64kb, 65536",
        "1Kb, 1024",
        "25MB, 26214400",
        "25mb, 26214400",
        "1GB, 1073741824",
        "2gB, 2147483648",
        "64GB, 68719476736",
    })
    void parsesEverySizeForm(String text, long bytes) {
        assertEquals(bytes, Units.parseSize(text));
    }

    @Test
    void namesTheBadSizeAndShowsExamples() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseSize("25XB"));
        assertEquals("'25XB' is not a size (use e.g. 512KB, 25MB, 1GB)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "1.5MB", "1 MB", " 1MB", "1MB ", "1TB", "1K", "1M", "0x10", "+5MB", "1e6", "١MB"})
    void rejectsMalformedSizes(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseSize(text));
        assertEquals("'" + text + "' is not a size (use e.g. 512KB, 25MB, 1GB)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-5MB", "-1kb"})
    void rejectsNegativeSizes(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseSize(text));
        assertEquals("'" + text + "' is not a size: sizes cannot be negative", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "99999999999GB", "8589934592GB"})
    void rejectsSizesThatOverflow(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseSize(text));
        assertEquals("'" + text + "' is too large to be a size", e.getMessage());
    }

    @Test
    void largestSizeThatFits() {
        assertEquals(Long.MAX_VALUE, Units.parseSize("9223372036854775807"));
        assertEquals(8589934591L * Units.GB, Units.parseSize("8589934591GB"));
    }

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "0ms, PT0S",
        "0s, PT0S",
        "30s, PT30S",
        "30S, PT30S",
        "5m, PT5M",
        "90m, PT1H30M",
        "2h, PT2H",
        "7d, PT168H",
        "1D, PT24H",
        "10MS, PT0.01S",
    })
    void parsesEveryDurationForm(String text, Duration expected) {
        assertEquals(expected, Units.parseDuration(text));
    }

    @Test
    void bareIntegerDurationIsRejectedAsAmbiguous() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("30"));
        assertEquals("'30' has no unit, which would be ambiguous (use e.g. 500ms, 30s, 5m, 2h, 7d)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "30x", "30sec", "1h30m", "1.5s", "30 s", " 30s", "PT30S", "5w", "+5s"})
    void rejectsMalformedDurations(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseDuration(text));
        assertEquals("'" + text + "' is not a duration (use e.g. 500ms, 30s, 5m, 2h, 7d)", e.getMessage());
    }

    @Test
    void rejectsNegativeDurations() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("-5s"));
        assertEquals("'-5s' is not a duration: durations cannot be negative", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999ms", "200000000000000d", "9223372036854775807h"})
    void rejectsDurationsThatOverflow(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseDuration(text));
        assertEquals("'" + text + "' is too large to be a duration", e.getMessage());
    }

    @Test
    void formatsWithTheLargestExactUnit() {
        assertEquals("25MB", Units.formatSize(25 * Units.MB));
        assertEquals("64KB", Units.formatSize(65536));
        assertEquals("1GB", Units.formatSize(Units.GB));
        assertEquals("1025B", Units.formatSize(1025));
        assertEquals("0B", Units.formatSize(0));
        assertEquals("5m", Units.formatDuration(Duration.ofMinutes(5)));
        assertEquals("90m", Units.formatDuration(Duration.ofMinutes(90)));
        assertEquals("30d", Units.formatDuration(Duration.ofDays(30)));
        assertEquals("1500ms", Units.formatDuration(Duration.ofMillis(1500)));
        assertEquals("0ms", Units.formatDuration(Duration.ZERO));
        assertEquals("PT0.000001S", Units.formatDuration(Duration.ofNanos(1000)));
    }

    @Test
    void formattedValuesParseBack() {
        for (long bytes : new long[] {0, 1, 1023, 1024, 26214400, 3 * Units.GB}) {
            assertEquals(bytes, Units.parseSize(Units.formatSize(bytes)));
        }
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(61),
                Duration.ofHours(25), Duration.ofDays(30)}) {
            assertEquals(d, Units.parseDuration(Units.formatDuration(d)));
        }
    }
}
