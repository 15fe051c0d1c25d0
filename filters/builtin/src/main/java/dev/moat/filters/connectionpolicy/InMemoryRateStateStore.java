package dev.moat.filters.connectionpolicy;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RateStateStore} in this process's memory, with a bounded size.
 *
 * <ul>
 *   <li>Open connections are counted per client in a map that holds only clients with at least one
 *       open connection, so its size is bounded by the gateway's own connection limit.</li>
 *   <li>Event counts use a sliding window kept as {@value #SLOTS} slots of a tenth of the window each:
 *       an event stops counting between 1.0 and 1.1 windows after it happened (never earlier), and a
 *       counter costs a few dozen bytes whatever its limit. At most {@code maxClients} clients are
 *       kept; beyond that the least recently used client is forgotten (it starts afresh if it comes
 *       back).</li>
 * </ul>
 * Thread-safe.
 */
public final class InMemoryRateStateStore implements RateStateStore {

    /** Slots per window: ten full tenths plus the current, partly elapsed one. */
    static final int SLOTS = 11;

    private final int maxClients;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Map<String, Window>> windows;

    public InMemoryRateStateStore(int maxClients) {
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be at least 1");
        }
        this.maxClients = maxClients;
        this.windows = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, Window>> eldest) {
                return size() > InMemoryRateStateStore.this.maxClients;
            }
        };
    }

    @Override
    public boolean tryOpenConnection(String client, int max) {
        boolean[] taken = {false};
        open.compute(client, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current < max) {
                taken[0] = true;
                return current + 1;
            }
            return n;
        });
        return taken[0];
    }

    @Override
    public void closeConnection(String client) {
        open.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Open connections of {@code client}, for tests. */
    int openConnections(String client) {
        return open.getOrDefault(client, 0);
    }

    @Override
    public boolean tryCount(String client, String counter, int limit, Duration window, long nowMillis) {
        long slotMillis = Math.max(1, window.toMillis() / (SLOTS - 1));
        synchronized (windows) {
            Map<String, Window> counters = windows.computeIfAbsent(client, k -> new HashMap<>(4));
            Window w = counters.get(counter);
            if (w == null || w.slotMillis != slotMillis) {
                w = new Window(slotMillis);
                counters.put(counter, w);
            }
            return w.tryCount(limit, nowMillis);
        }
    }

    @Override
    public int trackedClients() {
        synchronized (windows) {
            return Math.max(windows.size(), open.size());
        }
    }

    /** One counter of one client: event counts in {@link #SLOTS} consecutive slots, the newest last. */
    private static final class Window {
        final long slotMillis;
        final int[] counts = new int[SLOTS];
        long newest = Long.MIN_VALUE;

        Window(long slotMillis) {
            this.slotMillis = slotMillis;
        }

        boolean tryCount(int limit, long nowMillis) {
            long slot = Math.floorDiv(nowMillis, slotMillis);
            if (newest == Long.MIN_VALUE || slot - newest >= SLOTS) {
                java.util.Arrays.fill(counts, 0);
                newest = slot;
            } else if (slot > newest) {
                for (long s = newest + 1; s <= slot; s++) {
                    counts[(int) Math.floorMod(s, SLOTS)] = 0;
                }
                newest = slot;
            }
            // a clock that went back counts in the newest slot
            long total = 0;
            for (int c : counts) {
                total += c;
            }
            if (total >= limit) {
                return false;
            }
            counts[(int) Math.floorMod(newest, SLOTS)]++;
            return true;
        }
    }
}
