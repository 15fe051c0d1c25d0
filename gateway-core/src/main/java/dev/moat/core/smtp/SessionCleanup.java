package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.filter.Verdict;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * When a connection ends: a partial message (the client left in the middle of DATA) is dropped and
 * its spool file deleted (James has no clean-up callback for an aborted DATA), then the filters'
 * {@code disconnect} notice runs.
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
        if (services.chain().hasStage(Stage.DISCONNECT)) {
            ConnectionFacts facts = ConnectionFacts.of(session);
            StageContexts.Disconnect context = new StageContexts.Disconnect(
                    SessionSnapshot.of(session, services.listener()), facts.notes);
            services.chain().notifyEach(Stage.DISCONNECT, f -> {
                f.disconnect(context);
                return Verdict.next();
            });
        }
    }
}
