package dev.moat.filter.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, for time-dependent filters (rate limits, caches): pass it
 * with {@link FilterHarness#of(dev.moat.filter.FilterFactory, java.util.Map, Clock)} and call
 * {@link #advance}. Thread-safe; UTC; millisecond resolution.
 */
public final class TestClock extends Clock {

    private final AtomicLong millis;

    public TestClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    /** Starts at 2025-01-01T00:00:00Z. */
    public TestClock() {
        this(Instant.parse("2025-01-01T00:00:00Z"));
    }

    public void advance(Duration duration) {
        millis.addAndGet(duration.toMillis());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
