package dev.moat.filter;

import java.util.Optional;

/**
 * Envelope changes a {@link Filter#data} call asks for, applied by the core after the stage if the
 * message is delivered or quarantined. A transaction must keep at least one recipient; removing the
 * last one makes the outcome a discard.
 */
public interface EnvelopeMutations {

    /** Replace the envelope sender; empty makes it the null sender. */
    void setSender(Optional<Address> sender);

    /** Add a recipient (ignored if already present). */
    void addRecipient(Address recipient);

    /** Remove a recipient (ignored if absent). */
    void removeRecipient(Address recipient);
}
