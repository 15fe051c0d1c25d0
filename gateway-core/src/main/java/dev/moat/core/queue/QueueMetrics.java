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
        // Counters exist from the start at 0: Prometheus' increase() cannot see a first increment of
        // a series that appears with the value 1, so an alert on it would never fire.
        for (String result : new String[] {"queued", "stored", "dropped"}) {
            dsnCounter(result);
        }
        corruptCounter();
    }

    <T> void gauges(String route, T lane, ToDoubleFunction<T> depth, ToDoubleFunction<T> oldestSeconds) {
        Gauge.builder("moat.queue.depth", lane, depth).description("Messages in the durable queue, by route")
                .tag("route", route).strongReference(true).register(registry);
        Gauge.builder("moat.queue.oldest.age.seconds", lane, oldestSeconds)
                .description("Age of the oldest message in the durable queue, by route")
                .tag("route", route).strongReference(true).register(registry);
        attemptCounter(route);
        for (String result : new String[] {"delivered", "deferred", "bounced"}) {
            recipientCounter(route, result);
        }
    }

    void attempt(String route) {
        attemptCounter(route).increment();
    }

    private Counter attemptCounter(String route) {
        return Counter.builder("moat.queue.attempts").description("Delivery attempts of queued messages, by route")
                .tag("route", route).register(registry);
    }

    void recipients(String route, String result, int count) {
        if (count > 0) {
            recipientCounter(route, result).increment(count);
        }
    }

    private Counter recipientCounter(String route, String result) {
        return Counter.builder("moat.queue.recipients")
                .description("Outcomes of queued recipients per attempt: delivered, deferred (will retry), bounced (given up)")
                .tag("route", route).tag("result", result).register(registry);
    }

    void dsn(String result) {
        dsnCounter(result).increment();
    }

    private Counter dsnCounter(String result) {
        return Counter.builder("moat.queue.dsn").description("Delivery status notifications: queued, stored (capture route), dropped (no route)")
                .tag("result", result).register(registry);
    }

    void corrupt() {
        corruptCounter().increment();
    }

    private Counter corruptCounter() {
        return Counter.builder("moat.queue.corrupt").description("Queue entries found damaged and moved to corrupt/ (never delivered)")
                .register(registry);
    }
}
