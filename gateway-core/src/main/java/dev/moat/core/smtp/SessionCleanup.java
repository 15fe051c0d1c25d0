package dev.moat.core.smtp;

import dev.moat.core.chain.FilterChain;
import dev.moat.core.chain.Stage;
import dev.moat.filter.Verdict;
import java.util.Optional;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * When a connection ends: a partial message (the client left in the middle of DATA) is dropped and
 * its spool file deleted (James has no clean-up callback for an aborted DATA), then the filters'
 * {@code disconnect} notice runs, and the connection gives back the filters and routes it used.
 */
final class SessionCleanup implements DisconnectHandler<SMTPSession> {

    private final SessionServices services;

    SessionCleanup(SessionServices services) {
        this.services = services;
    }

    @Override
    public void onDisconnect(SMTPSession session) {
        if (session == null) {
            return;
        }
        session.getAttachment(MessageReceiver.KEY, State.Transaction).ifPresent(MessageReceiver::release);
        ConnectionFacts connection = ConnectionFacts.of(session);
        if (connection.relay != null) {
            connection.relay.close(); // mirrors QUIT
            connection.relay = null;
        }
        // A connection whose connect stage never ran (closed at once) took no policy: no filter saw it.
        Optional<FilterChain> taken = connection.policyIfTaken().map(p -> p.chain());
        if (taken.isEmpty()) {
            return;
        }
        try {
            FilterChain chain = taken.get();
            if (chain.hasStage(Stage.DISCONNECT) && !chain.isClosed()) { // closed: the gateway stopped first
                StageContexts.Disconnect context = new StageContexts.Disconnect(
                        SessionSnapshot.of(session, services.listener()), connection.notes);
                chain.notifyEach(Stage.DISCONNECT, f -> {
                    f.disconnect(context);
                    return Verdict.next();
                });
            }
        } finally {
            connection.releasePolicy(); // after the disconnect stage: its filters may be closed now
        }
    }
}
