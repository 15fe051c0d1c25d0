package dev.moat.core.config;

import java.time.Duration;

/**
 * Argument checks shared by the configuration records' compact constructors.
 *
 * <p>The loader reports bad values with their key path before any record is built; these checks
 * are the records' own guard for code that builds them directly (tests, the admin API), so an
 * invalid configuration cannot exist in memory whichever way it was made.
 */
final class Checks {

    private Checks() {}

    static long inRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    field + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    static int inRange(String field, int value, int min, int max) {
        return (int) inRange(field, (long) value, min, max);
    }

    static Duration inRange(String field, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new NullPointerException(field);
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be between " + Units.formatDuration(min)
                    + " and " + Units.formatDuration(max) + ", got " + Units.formatDuration(value));
        }
        return value;
    }
}
