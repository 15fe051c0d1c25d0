package dev.moat.admin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * The process's meter registry: one {@link PrometheusMeterRegistry} that every core meter lands in
 * (the core asks Guice for a {@code MeterRegistry}; {@link AdminExtension} binds it to this one),
 * plus the JVM and process binders. No common prefix: the core's meters are already named
 * {@code moat.*}, and the JVM ones keep their standard names ({@code jvm_*}, {@code process_*},
 * {@code system_*}) so that stock dashboards work.
 *
 * <p>The timers whose latency matters for SLOs get histogram buckets here (a registry concern: the
 * core records durations, the exposition decides how to aggregate them). If the core configures
 * buckets of its own on one of them, the core's win.
 *
 * <p>{@link #close()} removes the GC notification listeners; the registry itself stays usable, since
 * the gateway may still record while it drains after the admin server has stopped.
 */
public final class AdminMetrics implements AutoCloseable {

    /** Buckets of {@code moat_filter_duration_seconds}: a filter call is usually sub-millisecond to seconds. */
    static final Duration[] FILTER_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    };

    /** Buckets of {@code moat_delivery_duration_seconds}: a local fsync up to a slow next hop. */
    static final Duration[] DELIVERY_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofSeconds(300),
    };

    private static final Map<String, Duration[]> TIMER_BUCKETS = Map.of(
            "moat.filter.duration", FILTER_BUCKETS,
            "moat.delivery.duration", DELIVERY_BUCKETS);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;

    public AdminMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                Duration[] buckets = TIMER_BUCKETS.get(id.getName());
                if (buckets == null || id.getType() != Meter.Type.TIMER) {
                    return config;
                }
                double[] nanos = Arrays.stream(buckets).mapToDouble(Duration::toNanos).toArray();
                return config.merge(DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build());
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gc.close();
    }
}
