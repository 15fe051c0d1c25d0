package dev.moat.core.queue;

import java.util.Objects;
import java.util.Optional;

/**
 * Where one recipient of a queued message stands. Immutable.
 *
 * @param address the recipient
 * @param status pending (to be tried), delivered (a next hop said 250: never sent again) or failed
 *     (given up; its DSN, if any, is queued)
 * @param lastReply the last reply or error for this recipient, e.g. {@code 450 4.2.0 mailbox busy}
 * @param remoteMta the next hop that gave {@code lastReply}
 */
public record RecipientState(String address, Status status, Optional<String> lastReply, Optional<String> remoteMta) {

    public enum Status { PENDING, DELIVERED, FAILED }

    public RecipientState {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(lastReply, "lastReply");
        Objects.requireNonNull(remoteMta, "remoteMta");
    }

    public static RecipientState pending(String address) {
        return new RecipientState(address, Status.PENDING, Optional.empty(), Optional.empty());
    }

    public RecipientState with(Status newStatus, String reply, String mta) {
        return new RecipientState(address, newStatus, Optional.ofNullable(reply), Optional.ofNullable(mta));
    }
}
