package dev.moat.filters.recipientcheck;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The verifier's answers by address key: known ones for {@code positiveTtl}, unknown ones for
 * {@code negativeTtl} (zero: not kept), at most {@code maxSize} entries, the least recently used
 * dropped first; expired entries are dropped when met. Time comes from the injected {@link Clock}.
 *
 * <p>Thread-safe: every operation holds the instance's lock for a map operation, never during a probe.
 */
final class VerificationCache {

    private record Entry(boolean known, long expiresAtMillis) {
    }

    private final Clock clock;
    private final long positiveTtlMillis;
    private final long negativeTtlMillis;
    private final int maxSize;
    private final LinkedHashMap<String, Entry> entries;

    VerificationCache(Clock clock, Duration positiveTtl, Duration negativeTtl, int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.positiveTtlMillis = saturatedMillis(positiveTtl);
        this.negativeTtlMillis = saturatedMillis(negativeTtl);
        this.maxSize = maxSize;
        this.entries = new LinkedHashMap<>(Math.min(maxSize, 1024) * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > VerificationCache.this.maxSize;
            }
        };
    }

    /** The cached answer, or null if there is none (or it expired). */
    synchronized Boolean get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (clock.millis() >= e.expiresAtMillis()) {
            entries.remove(key);
            return null;
        }
        return e.known();
    }

    /** Remembers a definite answer (a lookup failure is never cached). */
    synchronized void put(String key, boolean known) {
        long ttl = known ? positiveTtlMillis : negativeTtlMillis;
        if (ttl <= 0) {
            entries.remove(key);
            return;
        }
        long now = clock.millis();
        long expires = now > Long.MAX_VALUE - ttl ? Long.MAX_VALUE : now + ttl;
        entries.put(key, new Entry(known, expires));
    }

    synchronized int size() {
        return entries.size();
    }

    private static long saturatedMillis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
