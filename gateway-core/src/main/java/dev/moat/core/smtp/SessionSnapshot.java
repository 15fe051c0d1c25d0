package dev.moat.core.smtp;

import dev.moat.filter.SessionInfo;
import dev.moat.filter.TlsInfo;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/** An immutable {@link SessionInfo}, taken from the James session when a stage starts. */
record SessionSnapshot(String id, String listener, InetSocketAddress clientAddress, Optional<String> heloName,
        boolean extendedHello, Optional<TlsInfo> tls, Optional<String> authenticatedUser) implements SessionInfo {

    SessionSnapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clientAddress, "clientAddress");
    }

    static SessionSnapshot of(SMTPSession session, String listener) {
        Optional<String> helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection);
        boolean extended = session.getAttachment(SMTPSession.CURRENT_HELO_MODE, State.Connection)
                .map("EHLO"::equalsIgnoreCase).orElse(false);
        Optional<TlsInfo> tls = session.isTLSStarted()
                ? session.getSSLSession().map(s -> new TlsInfo(s.getProtocol(), s.getCipherSuite()))
                : Optional.empty();
        Optional<String> user = Optional.ofNullable(ConnectionFacts.of(session).authenticatedUser)
                .or(() -> Optional.ofNullable(session.getUsername()).map(Username::asString));
        return new SessionSnapshot(session.getSessionID(), listener, session.getRemoteAddress(), helo, extended, tls, user);
    }

    String clientIp() {
        return clientAddress.getAddress() != null ? clientAddress.getAddress().getHostAddress() : clientAddress.getHostString();
    }
}
