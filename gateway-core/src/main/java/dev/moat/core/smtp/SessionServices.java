package dev.moat.core.smtp;

import dev.moat.core.config.LimitsConfig;
import dev.moat.core.delivery.CaptureDelivery;
import dev.moat.core.delivery.Delivery;
import dev.moat.core.message.Spool;
import dev.moat.core.reload.PolicyHolder;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import dev.moat.core.queue.MessageQueue;

/**
 * What the SMTP handlers of one listener use: the filters and routes (through the holder: each
 * connection leases one policy, {@link ConnectionFacts#policy}), the deliveries, the spool, the limits,
 * AUTH on submission listeners, and the durable queue when a route uses it.
 */
record SessionServices(String listener, String hostname, LimitsConfig limits, PolicyHolder policies,
        Delivery captureDelivery, CaptureDelivery quarantine, Spool spool, TransactionTracker tracker, Clock clock,
        SmtpMetrics metrics, java.util.Optional<Submission> submission,
        Optional<MessageQueue> queue) {

    SessionServices {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(policies, "policies");
        Objects.requireNonNull(captureDelivery, "captureDelivery");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(submission, "submission");
        Objects.requireNonNull(queue, "queue");
    }
}
