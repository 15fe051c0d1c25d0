package dev.moat.core.relay;

import java.io.IOException;

/**
 * A next hop could not be used: unreachable, too slow, closed the connection, broke the protocol, or
 * refused what the route's TLS policy requires. Always answered with a 4xx to the client: the mail is
 * not lost, the client retries.
 */
public class NextHopException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The enhanced status for the client's 451: 4.4.1 (no answer, refused) or 4.4.2 (connection lost, timeout). */
    private final String enhancedStatus;

    public NextHopException(String message, String enhancedStatus, Throwable cause) {
        super(message, cause);
        this.enhancedStatus = enhancedStatus;
    }

    public NextHopException(String message, String enhancedStatus) {
        this(message, enhancedStatus, null);
    }

    public String enhancedStatus() {
        return enhancedStatus;
    }
}
