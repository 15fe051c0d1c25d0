package dev.moat.core.smtp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Transaction ids: short, unique across restarts (they start from the clock in microseconds and only
 * grow), sortable, and safe as file names. Shown in the 250 reply, the Received header and the logs.
 */
final class TransactionIds {

    private static final AtomicLong NEXT = new AtomicLong(System.currentTimeMillis() * 1000);

    private TransactionIds() {
    }

    static String next() {
        return Long.toString(NEXT.incrementAndGet(), 36).toUpperCase(java.util.Locale.ROOT);
    }
}
