package dev.moat.core.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two unit notations of Moat's configuration: sizes ({@code 25MB}) and durations
 * ({@code 30s}).
 *
 * <p>They live apart from the loader because filters parse their own settings with the same
 * notation, so an operator learns it once. The grammar is deliberately small: an unsigned decimal
 * integer immediately followed by a unit, no fractions, no spaces, no compound forms such as
 * {@code 1h30m}. Anything else is refused with a message showing valid examples, rather than
 * guessed at.
 */
public final class Units {

    /** One kilobyte as Moat counts it: 1024 bytes, like the SIZE values mail servers advertise. */
    public static final long KB = 1024;

    /** 1024 KB. */
    public static final long MB = 1024 * KB;

    /** 1024 MB. */
    public static final long GB = 1024 * MB;

    private static final String SIZE_EXAMPLES = "(use e.g. 512KB, 25MB, 1GB)";
    private static final String DURATION_EXAMPLES = "(use e.g. 500ms, 30s, 5m, 2h, 7d)";

    private static final Pattern SIZE = Pattern.compile("([0-9]+)([KMG]?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
    private static final Pattern BARE_NUMBER = Pattern.compile("[0-9]+");

    private Units() {}

    /**
     * Parses a size in bytes: a plain integer ({@code 1048576}) or an integer with one of the
     * case-insensitive suffixes {@code B}, {@code KB}, {@code MB}, {@code GB} (powers of 1024).
     *
     * @throws IllegalArgumentException if the text is not a size, is negative, or does not fit in
     *     a {@code long}; the message starts with the quoted text
     */
    public static long parseSize(String text) {
        Objects.requireNonNull(text, "text");
        if (text.startsWith("-") && SIZE.matcher(text.substring(1)).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: sizes cannot be negative");
        }
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size " + SIZE_EXAMPLES);
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long multiplier =
                switch (unit) {
                    case "KB" -> KB;
                    case "MB" -> MB;
                    case "GB" -> GB;
                    default -> 1;
                };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large to be a size");
        }
    }

    /**
     * Parses a duration: an integer followed by {@code ms}, {@code s}, {@code m} (minutes),
     * {@code h} or {@code d} (24 hours), case-insensitive.
     *
     * <p>A bare integer is refused: {@code timeout: 30} could mean seconds or milliseconds, and a
     * gateway that guesses wrong either hangs on a dead peer or drops live ones.
     *
     * @throws IllegalArgumentException if the text is not a duration, has no unit, is negative or
     *     is too large; the message starts with the quoted text
     */
    public static Duration parseDuration(String text) {
        Objects.requireNonNull(text, "text");
        if (BARE_NUMBER.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' has no unit, which would be ambiguous " + DURATION_EXAMPLES);
        }
        if (text.startsWith("-") && DURATION.matcher(text.substring(1)).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: durations cannot be negative");
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration " + DURATION_EXAMPLES);
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large to be a duration");
        }
    }

    /**
     * Writes a size back in the notation {@link #parseSize} reads, with the largest unit that
     * divides it exactly ({@code 26214400} → {@code 25MB}); for messages and logs.
     */
    public static String formatSize(long bytes) {
        if (bytes != 0) {
            if (bytes % GB == 0) {
                return bytes / GB + "GB";
            }
            if (bytes % MB == 0) {
                return bytes / MB + "MB";
            }
            if (bytes % KB == 0) {
                return bytes / KB + "KB";
            }
        }
        return bytes + "B";
    }

    /**
     * Writes a duration back in the notation {@link #parseDuration} reads, with the largest unit
     * that divides it exactly ({@code PT5M} → {@code 5m}); durations with a sub-millisecond part
     * fall back to ISO-8601.
     */
    public static String formatDuration(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        long millis;
        try {
            millis = duration.toMillis();
        } catch (ArithmeticException tooLong) {
            return duration.toString();
        }
        if (millis != 0) {
            if (millis % Duration.ofDays(1).toMillis() == 0) {
                return millis / Duration.ofDays(1).toMillis() + "d";
            }
            if (millis % Duration.ofHours(1).toMillis() == 0) {
                return millis / Duration.ofHours(1).toMillis() + "h";
            }
            if (millis % Duration.ofMinutes(1).toMillis() == 0) {
                return millis / Duration.ofMinutes(1).toMillis() + "m";
            }
            if (millis % 1000 == 0) {
                return millis / 1000 + "s";
            }
        }
        return millis + "ms";
    }
}
