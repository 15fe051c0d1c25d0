package dev.moat.core.queue;

import java.util.Objects;

/**
 * A snapshot of one queued message for operators (admin API, CLI): its envelope, its state, its size
 * and whether a worker is delivering it right now. Immutable.
 */
public record QueuedMessage(QueuedEnvelope envelope, QueueState state, long size, boolean inProgress) {

    public QueuedMessage {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(state, "state");
    }

    public String id() {
        return envelope.id();
    }
}
