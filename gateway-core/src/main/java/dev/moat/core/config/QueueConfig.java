package dev.moat.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable queue used by routes with mode {@code queue} and {@code inline-then-queue} (YAML block
 * {@code queue}). Immutable.
 *
 * @param directory where queued messages live; empty means {@code <data-directory>/queue}
 * @param retrySchedule the waits after the 1st, 2nd, … failed attempt; the last one repeats
 * @param maxLifetime how long after its arrival a message is retried before it bounces
 * @param concurrency delivery workers (and at most as many next-hop connections) per route
 * @param minFreeSpace below this much usable space in the queue's file system, queue routes answer
 *     {@code 452 4.3.1} to new recipients instead of accepting mail that might not fit
 * @param idleConnection how long a worker keeps an idle next-hop connection open for the next message
 */
public record QueueConfig(Optional<Path> directory, List<Duration> retrySchedule, Duration maxLifetime,
        int concurrency, long minFreeSpace, Duration idleConnection) {

    public static final List<Duration> DEFAULT_RETRY_SCHEDULE = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4));
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofDays(5);
    public static final Duration MAX_MAX_LIFETIME = Duration.ofDays(30);
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final int MAX_CONCURRENCY = 256;
    public static final long DEFAULT_MIN_FREE_SPACE = 100L * 1024 * 1024;
    public static final Duration DEFAULT_IDLE_CONNECTION = Duration.ofSeconds(10);

    private static final QueueConfig DEFAULTS = new QueueConfig(Optional.empty(), DEFAULT_RETRY_SCHEDULE,
            DEFAULT_MAX_LIFETIME, DEFAULT_CONCURRENCY, DEFAULT_MIN_FREE_SPACE, DEFAULT_IDLE_CONNECTION);

    public QueueConfig {
        Objects.requireNonNull(directory, "directory");
        retrySchedule = List.copyOf(retrySchedule);
        if (retrySchedule.isEmpty()) {
            throw new IllegalArgumentException("retrySchedule must not be empty");
        }
        for (Duration d : retrySchedule) {
            Checks.inRange("retrySchedule", d, Duration.ofMillis(1), MAX_MAX_LIFETIME);
        }
        Checks.inRange("maxLifetime", maxLifetime, Duration.ofMillis(1), MAX_MAX_LIFETIME);
        Checks.inRange("concurrency", concurrency, 1, MAX_CONCURRENCY);
        if (minFreeSpace < 0) {
            throw new IllegalArgumentException("minFreeSpace must not be negative");
        }
        Checks.inRange("idleConnection", idleConnection, Duration.ZERO, Duration.ofHours(1));
    }

    public static QueueConfig defaults() {
        return DEFAULTS;
    }

    /** The wait after the {@code attempt}-th failed attempt (1-based); the schedule's last entry repeats. */
    public Duration delayAfter(int attempt) {
        return retrySchedule.get(Math.max(0, Math.min(attempt, retrySchedule.size()) - 1));
    }

    /** The queue directory for a data directory. */
    public Path directoryUnder(Path dataDirectory) {
        return directory.orElse(dataDirectory.resolve("queue"));
    }
}
