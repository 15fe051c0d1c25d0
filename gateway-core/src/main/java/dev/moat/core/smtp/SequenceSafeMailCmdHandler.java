package dev.moat.core.smtp;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.MailCmdHandler;

/**
 * James's MAIL command, except that a second MAIL inside an open transaction is refused without
 * touching it: James drops the sender on any non-250 reply, which would break the transaction the
 * client is still in (RFC 5321 §4.1.4: a refused command leaves the state as it was).
 */
final class SequenceSafeMailCmdHandler extends MailCmdHandler {

    SequenceSafeMailCmdHandler(MetricFactory metrics) {
        super(metrics);
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, State.Transaction).isPresent()) {
            return Replies.response(503, "5.5.1", "Sender already specified");
        }
        return super.onCommand(session, request);
    }
}
