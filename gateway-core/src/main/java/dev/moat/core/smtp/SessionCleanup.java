package dev.moat.core.smtp;

import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * When a connection ends in the middle of DATA, the partial message is dropped and its spool file
 * deleted (James has no clean-up callback for an aborted DATA).
 */
final class SessionCleanup implements DisconnectHandler<SMTPSession> {

    @Override
    public void onDisconnect(SMTPSession session) {
        if (session != null) {
            session.getAttachment(MessageReceiver.KEY, State.Transaction).ifPresent(MessageReceiver::release);
        }
    }
}
