package dev.moat.core.smtp;

import dev.moat.core.chain.MapNotes;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Moat's per-connection state kept in James's connection state: the filters' connection notes and
 * whether the client has said HELO/EHLO since TLS started (RFC 3207 §4.2 requires it anew).
 */
final class ConnectionFacts {

    private static final AttachmentKey<ConnectionFacts> KEY = AttachmentKey.of("moat.connectionFacts", ConnectionFacts.class);

    final MapNotes notes = new MapNotes();
    volatile boolean heloSinceTls;

    static ConnectionFacts of(SMTPSession session) {
        return session.getAttachment(KEY, State.Connection).orElseGet(() -> {
            ConnectionFacts facts = new ConnectionFacts();
            session.setAttachment(KEY, facts, State.Connection);
            return facts;
        });
    }
}
