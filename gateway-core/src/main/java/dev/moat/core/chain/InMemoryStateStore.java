package dev.moat.core.chain;

import dev.moat.filter.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link StateStore} Moat gives each filter instance: a map in memory with a time to live per
 * entry, bounded by evicting the least recently used entry. One lock for the whole map: stage calls
 * touch a handful of keys, so contention is not where a filter's time goes, and every operation
 * (including {@link #increment}) is trivially atomic.
 */
public final class InMemoryStateStore implements StateStore {

    /** Entries per filter instance unless a caller asks for another bound. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private record Entry(String value, long expiresAtMillis) {
    }

    private final int capacity;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries;

    public InMemoryStateStore(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = Objects.requireNonNull(clock, "clock");
        // Access order: get/put move an entry to the end, so the eldest is the least recently used.
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    @Override
    public synchronized Optional<String> get(String key) {
        checkKey(key);
        Entry e = live(key);
        return e == null ? Optional.empty() : Optional.of(e.value);
    }

    @Override
    public synchronized void put(String key, String value, Duration ttl) {
        checkKey(key);
        checkValue(value);
        store(key, new Entry(value, expiry(ttl)));
    }

    @Override
    public synchronized boolean putIfAbsent(String key, String value, Duration ttl) {
        checkKey(key);
        checkValue(value);
        long expiry = expiry(ttl);
        if (live(key) != null) {
            return false;
        }
        store(key, new Entry(value, expiry));
        return true;
    }

    @Override
    public synchronized long increment(String key, long delta, Duration ttl) {
        checkKey(key);
        long expiry = expiry(ttl);
        Entry e = live(key);
        long current = 0;
        if (e != null) {
            try {
                current = Long.parseLong(e.value);
            } catch (NumberFormatException notANumber) {
                current = 0;
            }
            expiry = e.expiresAtMillis;
        }
        long next = current + delta;
        store(key, new Entry(Long.toString(next), expiry));
        return next;
    }

    @Override
    public synchronized void remove(String key) {
        checkKey(key);
        entries.remove(key);
    }

    @Override
    public synchronized int size() {
        return entries.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    private Entry live(String key) {
        Entry e = entries.get(key);
        if (e != null && e.expiresAtMillis <= clock.millis()) {
            entries.remove(key);
            return null;
        }
        return e;
    }

    private void store(String key, Entry entry) {
        entries.put(key, entry);
        if (entries.size() > capacity) {
            sweepExpired();
        }
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        while (entries.size() > capacity && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }

    private void sweepExpired() {
        long now = clock.millis();
        entries.values().removeIf(e -> e.expiresAtMillis <= now);
    }

    private long expiry(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        long millis;
        try {
            millis = ttl.toMillis();
        } catch (ArithmeticException huge) {
            millis = Long.MAX_VALUE;
        }
        long now = clock.millis();
        return millis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + Math.max(1, millis);
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("a state key must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
    }

    private static void checkValue(String value) {
        Objects.requireNonNull(value, "value");
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("a state value must be at most " + MAX_VALUE_LENGTH + " characters");
        }
    }
}
