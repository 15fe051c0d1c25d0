package dev.moat.filter;

import java.util.Optional;

/** The {@link Filter#mailFrom} stage. */
public interface MailContext extends TransactionContext {

    /** The sender of this MAIL FROM; empty for the null sender. */
    default Optional<Address> sender() {
        return envelope().sender();
    }

    /**
     * Replace the envelope sender for the rest of the transaction (canonical-style rewriting); empty
     * makes it the null sender. Applied after the stage if the transaction goes on; later filters of
     * this stage already see the new sender.
     */
    void rewriteSender(Optional<Address> newSender);
}
