package dev.moat.core.queue;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One recipient of a queued message with its DSN parameters (RFC 3461). Immutable.
 *
 * @param address the recipient address, as accepted
 * @param notifyOn the NOTIFY keywords as given ({@code NEVER}, or some of {@code SUCCESS}, {@code FAILURE},
 *     {@code DELAY}); empty when the client gave none, which means failures are reported
 * @param orcpt the ORCPT value as given ({@code rfc822;addr} in xtext), if any
 */
public record QueuedRecipient(String address, Set<String> notifyOn, Optional<String> orcpt) {

    public QueuedRecipient {
        Objects.requireNonNull(address, "address");
        notifyOn = Set.copyOf(notifyOn);
        Objects.requireNonNull(orcpt, "orcpt");
    }

    public static QueuedRecipient plain(String address) {
        return new QueuedRecipient(address, Set.of(), Optional.empty());
    }

    /** Whether a DSN of this kind ({@code FAILURE}, {@code SUCCESS}, {@code DELAY}) is wanted. */
    public boolean wants(String kind) {
        if (notifyOn.isEmpty()) {
            return kind.equals("FAILURE");
        }
        return notifyOn.contains(kind.toUpperCase(Locale.ROOT));
    }
}
