package dev.moat.core.smtp;

import dev.moat.core.chain.FilterChain;
import dev.moat.core.config.LimitsConfig;
import dev.moat.core.delivery.CaptureDelivery;
import dev.moat.core.delivery.Delivery;
import dev.moat.core.delivery.Router;
import dev.moat.core.message.Spool;
import dev.moat.core.relay.NextHopTlsContexts;
import java.time.Clock;
import java.util.Objects;

/** What the SMTP handlers of one listener use: the chain, the routes, the deliveries, the spool, the limits. */
record SessionServices(String listener, String hostname, LimitsConfig limits, FilterChain chain, Router router,
        Delivery captureDelivery, CaptureDelivery quarantine, Spool spool, TransactionTracker tracker, Clock clock,
        NextHopTlsContexts relayTls, SmtpMetrics metrics) {

    SessionServices {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(captureDelivery, "captureDelivery");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(relayTls, "relayTls");
        Objects.requireNonNull(metrics, "metrics");
    }
}
