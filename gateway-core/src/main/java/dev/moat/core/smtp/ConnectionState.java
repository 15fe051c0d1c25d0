package dev.moat.core.smtp;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the network side (event loop: framer, deadlines) and the session side (worker pool: James
 * handlers, filters) of one connection tell each other. Fields are volatile or atomic because the two
 * sides run on different threads.
 */
final class ConnectionState {

    static final AttributeKey<ConnectionState> KEY = AttributeKey.valueOf("moat.connection");

    /** Frames handed to the session side and not yet processed; drives read back-pressure. */
    final AtomicInteger inflight = new AtomicInteger();
    /** When the last bytes arrived (System.nanoTime). */
    volatile long lastReadNanos = System.nanoTime();
    /** When the current, still incomplete, line began; 0 when no partial line is buffered. */
    volatile long partialLineSinceNanos;
    /** When the client got 354; 0 outside DATA. Set and cleared by the session side. */
    volatile long dataStartedNanos;
    /**
     * Set when a STARTTLS line is framed: until TLS is in place or the command is refused, every byte
     * from the client is an injection attempt (RFC 3207 §5, CVE-2011-0411) and is discarded.
     */
    volatile boolean startTlsPending;
    /**
     * Set while the session side executes a STARTTLS command: the transport then knows that the reply
     * it writes is STARTTLS's, and on a refusal ends {@link #startTlsPending} before the reply leaves,
     * so the client's next command (sent once it read the refusal) is not discarded.
     */
    volatile boolean answeringStartTls;
    /** Set by the transport once it committed to the handshake for the pending STARTTLS. */
    volatile boolean tlsStarting;
    /** The command being answered (lower case, e.g. "rcpt"; "message" for the end of DATA), for the reply metrics. */
    volatile String stage = "connect";
    /** Set when Moat closes the connection on purpose, so that late events are ignored. */
    volatile boolean closing;

    static ConnectionState of(Channel channel) {
        ConnectionState state = channel.attr(KEY).get();
        if (state == null) {
            state = new ConnectionState();
            ConnectionState raced = channel.attr(KEY).setIfAbsent(state);
            if (raced != null) {
                state = raced;
            }
        }
        return state;
    }
}
