package dev.moat.core.delivery;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.MessageWriter;
import dev.moat.filter.Reply;

/**
 * Hands one accepted transaction to its destination, while the client waits for the reply to DATA.
 * One implementation per route mode ({@code capture} now; {@code inline} and {@code queue} follow).
 * The returned reply is what the client gets: a 2xx only when the message is safe at the destination.
 * Implementations are thread-safe and called on the session's worker thread; they may block.
 */
public interface Delivery {

    /**
     * @param envelope the transaction's facts (after filter rewrites); its size is filled in by the store
     * @param content  writes the final message bytes (Received header, edited header, original body)
     * @return the reply for the client
     */
    Reply deliver(CapturedEnvelope envelope, MessageWriter content);
}
