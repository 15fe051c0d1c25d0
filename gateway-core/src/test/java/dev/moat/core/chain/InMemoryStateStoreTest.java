package dev.moat.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryStateStoreTest {

    /** A clock that moves only when told to. */
    private static final class StepClock extends java.time.Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
        @Override public java.time.Clock withZone(java.time.ZoneId zone) { throw new UnsupportedOperationException(); }
        @Override public Instant instant() { return now; }
    }

    private final StepClock clock = new StepClock();

    @Test
    void entriesExpireAfterTheirTimeToLive() {
        InMemoryStateStore store = new InMemoryStateStore(10, clock);
        store.put("k", "v", Duration.ofSeconds(10));
        assertEquals(Optional.of("v"), store.get("k"));
        clock.advance(Duration.ofSeconds(9));
        assertEquals(Optional.of("v"), store.get("k"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), store.get("k"));
        assertEquals(0, store.size());
    }

    @Test
    void putIfAbsentKeepsALiveEntryAndReplacesAnExpiredOne() {
        InMemoryStateStore store = new InMemoryStateStore(10, clock);
        assertTrue(store.putIfAbsent("k", "first", Duration.ofSeconds(5)));
        assertFalse(store.putIfAbsent("k", "second", Duration.ofSeconds(5)));
        assertEquals(Optional.of("first"), store.get("k"));
        clock.advance(Duration.ofSeconds(5));
        assertTrue(store.putIfAbsent("k", "third", Duration.ofSeconds(5)));
        assertEquals(Optional.of("third"), store.get("k"));
    }

    @Test
    void incrementStartsAtZeroAndKeepsTheFirstExpiry() {
        InMemoryStateStore store = new InMemoryStateStore(10, clock);
        assertEquals(1, store.increment("n", 1, Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(3, store.increment("n", 2, Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(1, store.increment("n", 1, Duration.ofMinutes(1)), "the window of the first increment ended");
        store.put("text", "not a number", Duration.ofMinutes(1));
        assertEquals(5, store.increment("text", 5, Duration.ofMinutes(1)));
    }

    @Test
    void theLeastRecentlyUsedEntryMakesRoomWhenFull() {
        InMemoryStateStore store = new InMemoryStateStore(3, clock);
        store.put("a", "1", Duration.ofHours(1));
        store.put("b", "2", Duration.ofHours(1));
        store.put("c", "3", Duration.ofHours(1));
        store.get("a"); // a is now more recent than b
        store.put("d", "4", Duration.ofHours(1));
        assertEquals(3, store.size());
        assertEquals(Optional.empty(), store.get("b"));
        assertEquals(Optional.of("1"), store.get("a"));
        assertEquals(Optional.of("4"), store.get("d"));
    }

    @Test
    void expiredEntriesGoBeforeLiveOnesWhenFull() {
        InMemoryStateStore store = new InMemoryStateStore(2, clock);
        store.put("old", "1", Duration.ofHours(1));
        store.put("short", "2", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(2));
        store.put("new", "3", Duration.ofHours(1));
        assertEquals(Optional.of("1"), store.get("old"));
        assertEquals(Optional.of("3"), store.get("new"));
    }

    @Test
    void oversizedKeysAndValuesAndBadTtlsAreRefused() {
        InMemoryStateStore store = new InMemoryStateStore(2, clock);
        assertThrows(IllegalArgumentException.class, () -> store.put("", "v", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> store.put("k".repeat(StateStore.MAX_KEY_LENGTH + 1), "v", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> store.put("k", "v".repeat(StateStore.MAX_VALUE_LENGTH + 1), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> store.put("k", "v", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryStateStore(0, clock));
        store.put("k", "v", Duration.ofSeconds(Long.MAX_VALUE)); // "forever" does not overflow
        assertEquals(Optional.of("v"), store.get("k"));
    }

    @Test
    void concurrentIncrementsAreNotLost() throws Exception {
        InMemoryStateStore store = new InMemoryStateStore(10, clock);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        store.increment("n", 1, Duration.ofHours(1));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(Optional.of("40000"), store.get("n"));
    }
}
