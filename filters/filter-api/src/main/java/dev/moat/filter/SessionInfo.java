package dev.moat.filter;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Facts about the client connection, as known when a stage is called (the HELO name is empty before
 * HELO, TLS is empty before a handshake). A snapshot: it does not change after the call that got it.
 */
public interface SessionInfo {

    /** Moat's id for the connection; it appears in logs, the Received header and the capture store. */
    String id();

    /** The name of the listener (from the configuration) that accepted the connection. */
    String listener();

    /** The client's address and port (the proxied client's, where a PROXY header is in use). */
    InetSocketAddress clientAddress();

    /** The name the client gave in its latest HELO/EHLO. */
    Optional<String> heloName();

    /** True if the client used EHLO rather than HELO. */
    boolean extendedHello();

    /** Protocol and cipher once TLS is active. */
    Optional<TlsInfo> tls();

    /** The SASL identity once AUTH succeeded. */
    Optional<String> authenticatedUser();
}
