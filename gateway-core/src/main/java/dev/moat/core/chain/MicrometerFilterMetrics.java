package dev.moat.core.chain;

import dev.moat.filter.FilterMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@link FilterMetrics} over Micrometer: names get the {@code moat.filter.} prefix, every meter the
 * instance's {@code filter} and {@code type} tags. A bad name or odd tag list is a programming error
 * of the filter and throws at once. Gauges go through {@link FilterGauges}, so that the instance of
 * a reloaded chain takes over the gauge of its predecessor instead of colliding with it.
 */
public final class MicrometerFilterMetrics implements FilterMetrics {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*");

    private final MeterRegistry registry;
    private final FilterGauges.Owner gauges;
    private final Tags instance;

    /** Metrics whose gauges stay as long as the registry (for tools and tests that build one chain). */
    public MicrometerFilterMetrics(MeterRegistry registry, String filter, String type) {
        this(registry, FilterGauges.of(registry).owner(), filter, type);
    }

    /** Metrics whose gauges are withdrawn when {@code gauges} is closed (the chain's filters closed). */
    public MicrometerFilterMetrics(MeterRegistry registry, FilterGauges.Owner gauges, String filter, String type) {
        this.registry = registry;
        this.gauges = gauges;
        this.instance = Tags.of("filter", filter, "type", type);
    }

    @Override
    public void count(String name, String... tags) {
        registry.counter(name(name), tags(tags)).increment();
    }

    @Override
    public void record(String name, Duration duration, String... tags) {
        registry.timer(name(name), tags(tags)).record(duration);
    }

    @Override
    public void gauge(String name, Supplier<? extends Number> value) {
        gauges.gauge(name(name), instance, value);
    }

    private static String name(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric names are lower case words joined by dots: " + name);
        }
        return "moat.filter." + name;
    }

    private Tags tags(String[] pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("tags come in key/value pairs");
        }
        return instance.and(Tags.of(pairs));
    }
}
