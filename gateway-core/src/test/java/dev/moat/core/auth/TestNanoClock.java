package dev.moat.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/** A clock for the auth tests that moves only when told, both as a {@link Clock} and as a nano-time source. */
final class TestNanoClock extends Clock implements LongSupplier {

    private volatile Instant now = Instant.parse("2026-11-28T20:00:00Z");

    void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public long getAsLong() {
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
