package dev.moat.filters.connectionpolicy;

import java.time.Duration;

/**
 * Where the connection-policy filter keeps its per-client counters: open connections and sliding-window
 * event counts. {@link InMemoryRateStateStore} keeps them in this process with a bounded size; a store
 * shared by several gateways (e.g. over Redis) can implement this interface instead. Implementations
 * must be thread-safe: one store serves every connection of a filter instance.
 *
 * <p>Clients are opaque keys (the filter uses the IP address, or the IPv6 prefix); counters are short
 * names ({@code connections}, {@code messages}, {@code recipients}). Time is passed in by the caller,
 * so the store holds no clock and tests can drive it.
 */
public interface RateStateStore extends AutoCloseable {

    /**
     * Takes one of {@code max} concurrent-connection slots of {@code client}.
     *
     * @return true if a slot was free and is now taken; false (nothing changed) if all are taken
     */
    boolean tryOpenConnection(String client, int max);

    /** Gives back a slot taken by {@link #tryOpenConnection}; a client without slots is ignored. */
    void closeConnection(String client);

    /**
     * Counts one event of {@code counter} for {@code client} at {@code nowMillis}, if fewer than
     * {@code limit} were counted within the sliding {@code window} before it.
     *
     * @return true if the event was within the limit (and is now counted); false if it was over the
     *     limit (and is not counted, so a refused client recovers once its earlier events age out)
     */
    boolean tryCount(String client, String counter, int limit, Duration window, long nowMillis);

    /** The number of clients the store holds state for, e.g. for monitoring. */
    int trackedClients();

    /** Releases the store's resources; the default does nothing. */
    @Override
    default void close() {
    }
}
