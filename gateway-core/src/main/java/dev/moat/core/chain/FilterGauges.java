package dev.moat.core.chain;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The filters' gauges of one meter registry, kept apart from the filters that feed them.
 *
 * <p>Why: a reload builds a second chain while the first still serves its connections, and both
 * have an instance named, say, {@code rates}. Micrometer returns the already registered gauge for
 * the same name and tags, so without this the new instance's gauge would keep reading the old
 * instance's state (and keep it from being collected). Here each gauge reads the newest live
 * {@link Owner}'s supplier; closing an owner (its chain closed) drops its suppliers, and a gauge
 * that has no supplier left is removed from the registry. Counters and timers need nothing of this:
 * they are cumulative and the instances of two generations add to the same series.
 *
 * <p>Thread-safe; one instance per registry ({@link #of}).
 */
public final class FilterGauges {

    private static final Map<MeterRegistry, FilterGauges> BY_REGISTRY = new WeakHashMap<>();

    /** Weak: the map above holds this instance strongly, which must not keep its registry alive. */
    private final java.lang.ref.WeakReference<MeterRegistry> registry;
    private final Map<Key, Slot> slots = new HashMap<>();

    private FilterGauges(MeterRegistry registry) {
        this.registry = new java.lang.ref.WeakReference<>(registry);
    }

    /** The gauges of {@code registry}: the same instance for the same registry. */
    public static FilterGauges of(MeterRegistry registry) {
        synchronized (BY_REGISTRY) {
            return BY_REGISTRY.computeIfAbsent(registry, FilterGauges::new);
        }
    }

    /** A new owner, for the filters of one chain. */
    public Owner owner() {
        return new Owner();
    }

    private synchronized void register(Owner owner, String name, Tags tags, Supplier<? extends Number> value) {
        Key key = new Key(name, tags);
        Slot slot = slots.get(key);
        if (slot == null) {
            MeterRegistry target = registry.get();
            if (target == null) {
                return; // the registry is gone: nobody can read the gauge
            }
            slot = new Slot();
            slot.gauge = Gauge.builder(name, slot, Slot::read).tags(tags).strongReference(true).register(target);
            slots.put(key, slot);
        }
        slot.entries.add(new Entry(owner, value));
    }

    private synchronized void release(Owner owner) {
        var it = slots.values().iterator();
        while (it.hasNext()) {
            Slot slot = it.next();
            slot.entries.removeIf(e -> e.owner == owner);
            if (slot.entries.isEmpty()) {
                MeterRegistry target = registry.get();
                if (target != null) {
                    target.remove(slot.gauge);
                }
                it.remove();
            }
        }
    }

    /** The gauges registered through one chain's filters; {@link #close()} withdraws them. */
    public final class Owner implements AutoCloseable {

        private Owner() {
        }

        /** Publishes {@code value} as the gauge {@code name}/{@code tags}, replacing an older owner's value. */
        public void gauge(String name, Tags tags, Supplier<? extends Number> value) {
            register(this, name, tags, value);
        }

        @Override
        public void close() {
            release(this);
        }
    }

    private record Key(String name, Tags tags) {
    }

    private record Entry(Owner owner, Supplier<? extends Number> value) {
    }

    private static final class Slot {
        /** Oldest first; the newest is read. Changed under the enclosing lock, read by the scrape without it. */
        final List<Entry> entries = new CopyOnWriteArrayList<>();
        Gauge gauge;

        double read() {
            Object[] now = entries.toArray();
            Number n = now.length == 0 ? null : ((Entry) now[now.length - 1]).value().get();
            return n == null ? Double.NaN : n.doubleValue();
        }
    }
}
