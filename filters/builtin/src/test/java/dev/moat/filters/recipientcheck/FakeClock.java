package dev.moat.filters.recipientcheck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to; thread-safe. */
final class FakeClock extends Clock {

    private final AtomicLong millis;

    FakeClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    FakeClock() {
        this(Instant.parse("2025-01-01T00:00:00Z"));
    }

    void advance(Duration d) {
        millis.addAndGet(d.toMillis());
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
