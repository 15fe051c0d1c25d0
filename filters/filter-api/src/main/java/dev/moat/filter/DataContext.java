package dev.moat.filter;

/** The {@link Filter#data} stage: the whole message has arrived and passed Moat's own checks. */
public interface DataContext extends TransactionContext {

    MessageView message();

    /** Ask for header changes. */
    HeaderMutations headers();

    /** Ask for envelope changes. */
    EnvelopeMutations envelopeMutations();
}
