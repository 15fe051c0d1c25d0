package dev.moat.core.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The queue's meters, by route: {@code moat_queue_depth}, {@code moat_queue_oldest_age_seconds},
 * {@code moat_queue_attempts_total}, {@code moat_queue_recipients_total{result=delivered|deferred|bounced}},
 * {@code moat_queue_dsn_total{result=queued|stored|dropped}}, {@code moat_queue_corrupt_total}.
 * Route label values come from the configuration (bounded). Thread-safe.
 */
final class QueueMetrics {

    private final MeterRegistry registry;

    QueueMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    <T> void gauges(String route, T lane, ToDoubleFunction<T> depth, ToDoubleFunction<T> oldestSeconds) {
        Gauge.builder("moat.queue.depth", lane, depth).description("Messages in the durable queue, by route")
                .tag("route", route).strongReference(true).register(registry);
        Gauge.builder("moat.queue.oldest.age.seconds", lane, oldestSeconds)
                .description("Age of the oldest message in the durable queue, by route")
                .tag("route", route).strongReference(true).register(registry);
    }

    void attempt(String route) {
        Counter.builder("moat.queue.attempts").description("Delivery attempts of queued messages, by route")
                .tag("route", route).register(registry).increment();
    }

    void recipients(String route, String result, int count) {
        if (count > 0) {
            Counter.builder("moat.queue.recipients")
                    .description("Outcomes of queued recipients per attempt: delivered, deferred (will retry), bounced (given up)")
                    .tag("route", route).tag("result", result).register(registry).increment(count);
        }
    }

    void dsn(String result) {
        Counter.builder("moat.queue.dsn").description("Delivery status notifications: queued, stored (capture route), dropped (no route)")
                .tag("result", result).register(registry).increment();
    }

    void corrupt() {
        Counter.builder("moat.queue.corrupt").description("Queue entries found damaged and moved to corrupt/ (never delivered)")
                .register(registry).increment();
    }
}
