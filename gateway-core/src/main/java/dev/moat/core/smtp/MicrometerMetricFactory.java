package dev.moat.core.smtp;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.reactivestreams.Publisher;

/**
 * James's metric interface over Micrometer: James times each SMTP command as {@code SMTP-<COMMAND>},
 * which becomes {@code moat_smtp_command_duration_seconds{command="MAIL"}}.
 */
public final class MicrometerMetricFactory implements MetricFactory {

    private final MeterRegistry registry;
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> generated = new java.util.concurrent.ConcurrentHashMap<>();

    public MicrometerMetricFactory(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Metric generate(String name) {
        // One value per name: James may ask for the same metric more than once.
        AtomicLong value = generated.computeIfAbsent(name, n -> registry.gauge("moat.james." + n, new AtomicLong()));
        return new Metric() {
            @Override public void increment() { value.incrementAndGet(); }
            @Override public void decrement() { value.decrementAndGet(); }
            @Override public void add(int n) { value.addAndGet(n); }
            @Override public void remove(int n) { value.addAndGet(-n); }
            @Override public long getCount() { return value.get(); }
        };
    }

    @Override
    public TimeMetric timer(String name) {
        String command = (name.startsWith("SMTP-") ? name.substring(5) : name).toLowerCase(java.util.Locale.ROOT);
        Timer timer = Timer.builder("moat.smtp.command.duration").tag("command", command)
                .description("Time James spends on each SMTP command").register(registry);
        long start = System.nanoTime();
        return new TimeMetric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ExecutionResult stopAndPublish() {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                timer.record(elapsed);
                return new ExecutionResult() {
                    @Override
                    public Duration elasped() {
                        return elapsed;
                    }

                    @Override
                    public ExecutionResult logWhenExceedP99(Duration threshold) {
                        return this;
                    }
                };
            }
        };
    }

    @Override
    public <T> Publisher<T> decoratePublisherWithTimerMetric(String name, Publisher<T> publisher) {
        return publisher;
    }

    @Override
    public <T> Publisher<T> decoratePublisherWithTimerMetricLogP99(String name, Publisher<T> publisher) {
        return publisher;
    }
}
