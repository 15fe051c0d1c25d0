package dev.moat.core.smtp;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts transactions between the client's DATA and Moat's final reply, so that a shutdown can wait
 * for them (SIGTERM drains) instead of cutting a message the client is about to get 250 for.
 */
public final class TransactionTracker {

    private final AtomicInteger active = new AtomicInteger();

    void begin() {
        active.incrementAndGet();
    }

    void end() {
        active.decrementAndGet();
    }

    public int active() {
        return active.get();
    }
}
