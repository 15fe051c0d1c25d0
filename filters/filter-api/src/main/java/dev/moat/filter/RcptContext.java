package dev.moat.filter;

import java.util.Map;

/** The {@link Filter#rcptTo} stage, called once per recipient. */
public interface RcptContext extends TransactionContext {

    /** The recipient of this RCPT TO (after any rewrite by an earlier filter of this stage). */
    Address recipient();

    /** RCPT TO parameters with upper-case names, e.g. {@code NOTIFY}, {@code ORCPT}. */
    Map<String, String> parameters();

    /**
     * Deliver to {@code newRecipient} instead (virtual-style rewriting). The client's reply still names
     * the address it sent. Later filters of this stage see the new recipient.
     */
    void rewriteRecipient(Address newRecipient);
}
