package dev.moat.filter;

import java.util.Optional;

/**
 * Typed scratch space that filters share along a connection ({@link StageContext#connectionNotes()})
 * or a transaction ({@link TransactionContext#transactionNotes()}; cleared at RSET and after each
 * message). Safe to use from the stage calls of one connection, which never overlap.
 */
public interface Notes {

    <T> Optional<T> get(NoteKey<T> key);

    /** Stores {@code value} (not null) under {@code key}, replacing any earlier value. */
    <T> void put(NoteKey<T> key, T value);

    <T> void remove(NoteKey<T> key);
}
