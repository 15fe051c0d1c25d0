package dev.moat.filter;

/** What the stages of one mail transaction (MAIL, RCPT, DATA) see in addition to the connection. */
public interface TransactionContext extends StageContext {

    /** The envelope as it stands at this stage (recipients accepted so far). */
    Envelope envelope();

    /** Notes kept for this transaction only. */
    Notes transactionNotes();
}
