package dev.moat.core.relay;

import dev.moat.core.config.NextHop;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.store.MessageWriter;
import dev.moat.filter.Reply;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors one client connection's transactions onto a next hop of one inline route, in real time:
 * the next hop's session opens at the first accepted recipient, MAIL and each RCPT are replayed as
 * they arrive, and the message streams at the client's final dot. Every method returns the reply for
 * the client: the next hop's own verdict (its code class kept, its text quoted), or {@code 451 4.4.x}
 * when the next hop cannot be used, never a 2xx that the next hop did not give.
 * <p>
 * The next-hop session is reused for the client's later transactions (a leftover transaction is
 * reset first) and closed with QUIT when the client goes. Used by one session thread at a time.
 */
public final class InlineRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InlineRelay.class);

    private final RouteConfig route;
    private final NextHopTlsContexts contexts;
    private final String heloName;
    private NextHopConnection connection;
    private boolean inTransaction;
    private boolean unavailable;

    public InlineRelay(RouteConfig route, NextHopTlsContexts contexts, String heloName) {
        this.route = route;
        this.contexts = contexts;
        this.heloName = heloName;
    }

    public RouteConfig route() {
        return route;
    }

    /**
     * Whether the last {@link #rcpt} or {@link #data} reply said the next hop could not be used at all
     * (no connection, timeout, lost or closing session) rather than giving its own verdict; an
     * {@code inline-then-queue} route queues the message then.
     */
    public boolean lastUnavailable() {
        return unavailable;
    }

    /** The client started a new transaction: end any half-done one on the next hop (mirrors RSET). */
    public void newTransaction() {
        if (inTransaction && connection != null) {
            try {
                NextHopReply reply = connection.rset();
                if (!reply.positive()) {
                    drop();
                }
            } catch (NextHopException e) {
                LOG.info("Next hop {} lost at RSET: {}", connection.hop(), e.getMessage());
                drop();
            } catch (java.io.IOException e) {
                drop();
            }
        }
        inTransaction = false;
    }

    /**
     * One accepted recipient. The first one of a transaction opens the next-hop session if needed
     * (failing over through the route's next hops) and sends MAIL with it.
     */
    public Reply rcpt(String sender, Map<String, String> mailParameters, String recipient) {
        unavailable = false;
        try {
            if (!inTransaction) {
                boolean reused = connection != null;
                ensureConnected();
                NextHopReply[] replies;
                try {
                    replies = connection.mailAndRcpt(sender, mailParameters, recipient);
                    if (replies[0].code() == 421) {
                        throw new NextHopException(connection.hop() + " is closing the session: " + replies[0], "4.4.2");
                    }
                } catch (NextHopException e) {
                    if (!reused) {
                        throw e;
                    }
                    // A kept session may have been ended by the next hop meanwhile: one fresh try.
                    drop();
                    ensureConnected();
                    replies = connection.mailAndRcpt(sender, mailParameters, recipient);
                }
                if (!replies[0].positive()) {
                    if (replies[1] != null && replies[1].positive()) {
                        inTransaction = true;
                        newTransaction();
                    }
                    return mirror(replies[0], "Sender refused by next hop");
                }
                inTransaction = true;
                return replies[1].positive() ? accepted() : mirror(replies[1], "Recipient refused by next hop");
            }
            NextHopReply reply = connection.rcpt(recipient);
            return reply.positive() ? accepted() : mirror(reply, "Recipient refused by next hop");
        } catch (NextHopException e) {
            return unavailable(e);
        } catch (java.io.IOException e) {
            return unavailable(new NextHopException(e.getMessage(), "4.4.2", e));
        }
    }

    /** The message, after the client's final dot: the next hop's reply is the client's. */
    public Reply data(String transactionId, MessageWriter content) {
        unavailable = false;
        if (!inTransaction || connection == null) {
            unavailable = true;
            return new Reply(451, "4.4.2", "Next hop session lost, try again later");
        }
        try {
            NextHopReply reply = connection.data(content);
            inTransaction = false;
            if (reply.positive()) {
                LOG.info("Transaction {} delivered to {}: {}", transactionId, connection.hop(), reply);
                return new Reply(250, "2.0.0", NextHopReply.printable("Ok: queued as " + transactionId + " via next hop: " + reply.text()));
            }
            LOG.info("Transaction {} refused by {}: {}", transactionId, connection.hop(), reply);
            return mirror(reply, "Message refused by next hop");
        } catch (NextHopException e) {
            return unavailable(e);
        } catch (java.io.IOException e) {
            return unavailable(new NextHopException(e.getMessage(), "4.4.2", e));
        }
    }

    private void ensureConnected() throws NextHopException {
        if (connection != null) {
            return;
        }
        NextHopException last = null;
        for (NextHop hop : route.nextHops()) {
            try {
                connection = NextHopConnection.open(hop, route, contexts, heloName);
                return;
            } catch (NextHopException e) {
                LOG.warn("Next hop {} of route {} failed: {}", hop, route.name(), e.getMessage());
                last = e;
            }
        }
        throw last;
    }

    private static Reply accepted() {
        return new Reply(250, "2.1.5", "Ok");
    }

    /** The next hop's refusal for the client: same code, its enhanced code (or a class default), its text quoted. */
    private Reply mirror(NextHopReply reply, String what) {
        if (reply.code() == 421) {
            // The next hop is closing this session: not a verdict on the mail, and our client's
            // connection is not closing. Give up the session; the client retries.
            drop();
            unavailable = true;
            return new Reply(451, "4.4.2", NextHopReply.printable("Next hop closed the session: " + reply.text()));
        }
        int code = reply.code() >= 400 && reply.code() <= 599 ? reply.code() : 451;
        String enhanced = reply.enhancedStatus() != null ? reply.enhancedStatus() : (code / 100) + ".0.0";
        if (enhanced.charAt(0) != Integer.toString(code).charAt(0)) {
            enhanced = (code / 100) + ".0.0";
        }
        return new Reply(code, enhanced, NextHopReply.printable(what + ": " + reply.code() + " " + reply.text()));
    }

    private Reply unavailable(NextHopException e) {
        LOG.warn("Route {}: {}", route.name(), e.getMessage());
        drop();
        unavailable = true;
        String status = e.enhancedStatus() != null ? e.enhancedStatus() : "4.4.1";
        return new Reply(451, status, "Next hop not available, try again later");
    }

    private void drop() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        inTransaction = false;
    }

    /** Mirrors the client's QUIT (or disconnect): QUIT to the next hop, close. */
    @Override
    public void close() {
        if (connection != null) {
            connection.quit();
            connection = null;
        }
        inTransaction = false;
    }
}
