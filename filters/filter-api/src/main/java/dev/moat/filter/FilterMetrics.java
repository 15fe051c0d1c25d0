package dev.moat.filter;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A filter instance's own figures, beyond what the chain records for every filter (verdicts and
 * time per stage). Names are short and lower-case with dots ({@code cache.hits}); Moat prefixes them
 * with {@code moat.filter.} and tags every figure with the instance's {@code filter} and {@code type},
 * so {@code count("cache.hits")} in an instance named {@code recipients} becomes
 * {@code moat_filter_cache_hits_total{filter="recipients",type="recipient-check"}}. Extra tags come
 * in key/value pairs; keep their values to a small fixed set (never an address or an IP).
 * Thread-safe; cheap enough to call on every message.
 */
public interface FilterMetrics {

    /** Adds one to a counter. */
    void count(String name, String... tags);

    /** Records a duration in a timer. */
    void record(String name, Duration duration, String... tags);

    /** Publishes a value read when metrics are scraped (e.g. the size of a cache); register once. */
    void gauge(String name, Supplier<? extends Number> value);

    /** Metrics that go nowhere, for tests and tools that do not care. */
    FilterMetrics NONE = new FilterMetrics() {
        @Override
        public void count(String name, String... tags) {
        }

        @Override
        public void record(String name, Duration duration, String... tags) {
        }

        @Override
        public void gauge(String name, Supplier<? extends Number> value) {
        }
    };
}
