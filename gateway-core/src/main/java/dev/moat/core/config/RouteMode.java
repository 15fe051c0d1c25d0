package dev.moat.core.config;

import java.util.Locale;

/** What happens to mail for a route's domains (YAML {@code routes[i].mode}). */
public enum RouteMode {
    /** Keep the message in the local capture store ({@code <data-directory>/capture}). YAML {@code capture}. */
    CAPTURE,
    /**
     * Forward while the client waits: the next hop's reply to each RCPT and to the message is the
     * client's reply. YAML {@code inline}.
     */
    INLINE,
    /**
     * Store and forward: the message is written durably to Moat's queue before the client's 250, then
     * delivered to the next hops with retries, and bounced (a DSN) if that fails for good. YAML {@code queue}.
     */
    QUEUE,
    /**
     * Inline while the next hop is reachable; when it is not (no connection, timeout, lost session),
     * the transaction is queued instead. YAML {@code inline-then-queue}.
     */
    INLINE_THEN_QUEUE;

    /** The spelling in the YAML file. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the route sends mail to next hops (and so has next-hops, tls, auth and timeouts). */
    public boolean usesNextHops() {
        return this != CAPTURE;
    }

    /** Whether mail of this route may be held in the durable queue. */
    public boolean usesQueue() {
        return this == QUEUE || this == INLINE_THEN_QUEUE;
    }
}
