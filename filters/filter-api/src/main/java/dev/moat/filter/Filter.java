package dev.moat.filter;

/**
 * One step of Moat's filter chain. A filter is one small class: override the stages you care about,
 * leave the others at their default, which is {@link Verdict#next()}.
 *
 * <h2>Call order</h2>
 * For every SMTP connection the chain calls, in SMTP order: {@link #connect} once; {@link #helo} for
 * each HELO/EHLO; then per transaction {@link #mailFrom} once, {@link #rcptTo} once per recipient, and
 * {@link #data} once after the client's final dot. Within a stage, filters run in the order of the
 * configuration's {@code filters:} list, and the first verdict other than {@code next} ends the stage
 * (later filters are not called). A stage is never called for a transaction that an earlier stage
 * already refused. {@link #disconnect} is called once when a connection whose {@code connect} stage
 * ran has ended. {@link #close} is called once when the gateway shuts down or the chain is replaced.
 *
 * <h2>Threads</h2>
 * One instance serves every connection, so an implementation must be thread-safe. Stage methods run
 * on Moat's worker pool, never on a network event loop, so a filter may block (DNS, a database, a
 * socket); the calls of one connection never overlap. Every call runs under the instance's
 * {@code timeout} (default 30 s): a call that overruns, or throws, answers the client
 * {@code 451 4.3.0} (fail safe: the sender retries) and is logged with the filter's name.
 *
 * <h2>Guarantees</h2>
 * Contexts are valid only during the call that received them. Mutations requested through a context
 * are applied by the core after the stage, only if the transaction goes on; the original body bytes
 * are never re-encoded.
 */
public interface Filter extends AutoCloseable {

    /** A client connected. Typical use: IP reputation, connection rate limits. */
    default Verdict connect(ConnectContext context) throws Exception {
        return Verdict.next();
    }

    /** The client sent HELO or EHLO (again after STARTTLS, too). */
    default Verdict helo(HeloContext context) throws Exception {
        return Verdict.next();
    }

    /** MAIL FROM was syntactically valid; a rejection here refuses the transaction. */
    default Verdict mailFrom(MailContext context) throws Exception {
        return Verdict.next();
    }

    /**
     * One RCPT TO, called once per recipient. {@link Verdict#accept()} vouches for the recipient (it
     * may be relayed); if every filter says {@code next}, the recipient passes only when a route makes
     * its domain deliverable, otherwise it is refused with {@code 550 5.7.1}.
     */
    default Verdict rcptTo(RcptContext context) throws Exception {
        return Verdict.next();
    }

    /** The whole message arrived (spooled, size-checked, line endings checked). */
    default Verdict data(DataContext context) throws Exception {
        return Verdict.next();
    }

    /**
     * The connection ended; called once per connection whose {@link #connect} stage ran, whatever the
     * outcome. No reply is possible, so there is no verdict. Runs under the same timeout; an
     * exception is logged. Typical use: release a per-client concurrency slot.
     */
    default void disconnect(DisconnectContext context) throws Exception {
    }

    /** Release resources; called once, after the last stage call has returned. */
    @Override
    default void close() throws Exception {
    }
}
