package dev.moat.core.smtp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SMTP and delivery meters of one listener. Label values are bounded: listener and route names
 * come from the configuration, stages and results from fixed sets; never an address or an IP.
 * Prometheus names: {@code moat_smtp_connections_total}, {@code moat_smtp_connections_active},
 * {@code moat_smtp_tls_handshakes_total}, {@code moat_smtp_transactions_total},
 * {@code moat_smtp_replies_total}, {@code moat_smtp_message_size_bytes},
 * {@code moat_delivery_total}, {@code moat_delivery_duration_seconds}. Thread-safe.
 */
final class SmtpMetrics {

    /** The commands whose replies are counted by name; anything else counts as {@code other}. */
    private static final Set<String> STAGES = Set.of("connect", "helo", "ehlo", "mail", "rcpt", "data", "message",
            "rset", "noop", "quit", "starttls", "auth", "vrfy", "expn", "help");

    private final MeterRegistry registry;
    private final String listener;
    private final Counter connections;
    private final AtomicInteger active = new AtomicInteger();
    private final DistributionSummary messageSize;

    SmtpMetrics(MeterRegistry registry, String listener) {
        this.registry = registry;
        this.listener = listener;
        this.connections = Counter.builder("moat.smtp.connections").description("Connections accepted")
                .tag("listener", listener).register(registry);
        Gauge.builder("moat.smtp.connections.active", active, AtomicInteger::get).description("Connections open now")
                .tag("listener", listener).register(registry);
        this.messageSize = DistributionSummary.builder("moat.smtp.message.size").baseUnit("bytes")
                .description("Size of the messages received (before Moat's Received header)")
                .tag("listener", listener)
                .serviceLevelObjectives(4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
                .register(registry);
    }

    void connectionOpened() {
        connections.increment();
        active.incrementAndGet();
    }

    void connectionClosed() {
        active.decrementAndGet();
    }

    void tlsHandshake(String protocol) {
        Counter.builder("moat.smtp.tls.handshakes").description("TLS handshakes completed, by protocol version")
                .tags("listener", listener, "protocol", protocol).register(registry).increment();
    }

    /** One reply to the client; {@code stage} is the command it answers (lower case). */
    void reply(String stage, int code) {
        String s = STAGES.contains(stage) ? stage : "other";
        Counter.builder("moat.smtp.replies").description("Replies sent to clients, by the command answered and the code class")
                .tags("stage", s, "code_class", (code / 100) + "xx").register(registry).increment();
    }

    /** One transaction's outcome: accepted, rejected, tempfailed, discarded or quarantined. */
    void transaction(String result) {
        Counter.builder("moat.smtp.transactions").description("Transactions that reached the end of DATA, by outcome")
                .tags("listener", listener, "result", result).register(registry).increment();
    }

    void messageSize(long bytes) {
        messageSize.record(bytes);
    }

    /** One hand-off to a destination: its route, mode (capture, inline, quarantine) and result. */
    void delivery(String route, String mode, String result, Duration took) {
        Counter.builder("moat.delivery").description("Messages handed to a destination, by route, mode and result")
                .tags("route", route, "mode", mode, "result", result).register(registry).increment();
        Timer.builder("moat.delivery.duration").description("Time to hand a message to its destination")
                .tag("route", route).register(registry).record(took);
    }
}
