package dev.moat.core.config;

import java.time.Duration;

/**
 * Retention of the capture store (YAML block {@code capture}).
 *
 * <p>Captured mail sits on the gateway's own disk; without a bound, a mail flood would fill it
 * and stop the spool. The oldest messages are removed first when either bound is reached.
 *
 * @param maxMessages most messages kept
 * @param maxAge age after which a message is removed
 */
public record CaptureConfig(int maxMessages, Duration maxAge) {

    /** Default of {@code max-messages}. */
    public static final int DEFAULT_MAX_MESSAGES = 10_000;

    /** Default of {@code max-age}. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);

    /** Longest allowed {@code max-age}: ten years. */
    public static final Duration MAX_MAX_AGE = Duration.ofDays(3650);

    private static final CaptureConfig DEFAULTS = new CaptureConfig(DEFAULT_MAX_MESSAGES, DEFAULT_MAX_AGE);

    public CaptureConfig {
        Checks.inRange("maxMessages", maxMessages, 1, Integer.MAX_VALUE);
        Checks.inRange("maxAge", maxAge, Duration.ofMillis(1), MAX_MAX_AGE);
    }

    /** The capture settings used when the configuration has no {@code capture} block. */
    public static CaptureConfig defaults() {
        return DEFAULTS;
    }
}
