package dev.moat.filter;

import java.time.Duration;
import java.util.Optional;

/**
 * A small key-value store for state a filter keeps between calls and connections: counters for
 * rate limits, a cache of lookups, a greylisting triplet. Each filter instance has its own store
 * (keys of two instances never collide), from {@link FilterSetup#state()}.
 *
 * <p>Every entry has a time to live; an expired entry reads as absent. The store is bounded: when
 * it holds {@link #capacity()} entries, adding one evicts the least recently used. Keys are 1 to
 * {@value #MAX_KEY_LENGTH} characters, values at most {@value #MAX_VALUE_LENGTH} characters; larger
 * ones are refused with {@link IllegalArgumentException}. The in-memory implementation keeps
 * nothing across restarts. Thread-safe: every method is atomic on its key.
 */
public interface StateStore {

    /** The longest key accepted. */
    int MAX_KEY_LENGTH = 512;

    /** The longest value accepted. */
    int MAX_VALUE_LENGTH = 64 * 1024;

    /** The value stored under {@code key}, unless absent or expired. */
    Optional<String> get(String key);

    /** Stores {@code value} under {@code key} for {@code ttl} (positive), replacing any earlier value. */
    void put(String key, String value, Duration ttl);

    /** Stores {@code value} only if no live entry exists; true if it was stored. */
    boolean putIfAbsent(String key, String value, Duration ttl);

    /**
     * Adds {@code delta} to the number stored under {@code key} and returns the new value. An absent
     * or expired entry starts at 0 and lives for {@code ttl}; an existing one keeps its expiry. A
     * value that is not a whole number counts as 0.
     */
    long increment(String key, long delta, Duration ttl);

    /** Removes the entry, if any. */
    void remove(String key);

    /** The number of live entries (expired ones may still be counted until they are swept). */
    int size();

    /** The most entries this store holds. */
    int capacity();
}
