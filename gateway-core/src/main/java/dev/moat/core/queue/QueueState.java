package dev.moat.core.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The changing part of a queued message: per-recipient outcomes, attempts so far, when the next one
 * is due, whether an operator holds it. Replaced as a whole (written to a new file, then renamed over
 * the old one), never edited in place. Immutable.
 */
public record QueueState(int attempts, Instant nextAttempt, boolean held, List<RecipientState> recipients,
        Optional<Instant> lastAttempt) {

    public QueueState {
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
        Objects.requireNonNull(nextAttempt, "nextAttempt");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(lastAttempt, "lastAttempt");
    }

    /** The state of a message just queued: every recipient pending, due now. */
    public static QueueState initial(QueuedEnvelope envelope) {
        return new QueueState(0, envelope.receivedAt(), false,
                envelope.recipients().stream().map(r -> RecipientState.pending(r.address())).toList(), Optional.empty());
    }

    public List<RecipientState> pending() {
        return recipients.stream().filter(r -> r.status() == RecipientState.Status.PENDING).toList();
    }

    public boolean finished() {
        return pending().isEmpty();
    }

    public QueueState withHeld(boolean newHeld) {
        return new QueueState(attempts, nextAttempt, newHeld, recipients, lastAttempt);
    }

    public QueueState withNextAttempt(Instant when) {
        return new QueueState(attempts, when, held, recipients, lastAttempt);
    }

    public QueueState afterAttempt(Instant at, List<RecipientState> newRecipients, Instant next) {
        return new QueueState(attempts + 1, next, held, newRecipients, Optional.of(at));
    }

    public QueueState withRecipients(List<RecipientState> newRecipients) {
        return new QueueState(attempts, nextAttempt, held, newRecipients, lastAttempt);
    }

    /** A fresh schedule (requeue): attempts back to zero, due at {@code now}. */
    public QueueState restarted(Instant now) {
        return new QueueState(0, now, false, recipients, lastAttempt);
    }
}
