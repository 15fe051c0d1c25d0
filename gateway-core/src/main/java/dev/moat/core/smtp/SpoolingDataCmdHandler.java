package dev.moat.core.smtp;

import dev.moat.core.message.SpooledMessage;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;

/**
 * James's DATA command with Moat's receiver: after James's sequence checks (MAIL and RCPT given, no
 * argument), the message goes to a {@link MessageReceiver} that spools it, instead of James's
 * in-memory envelope and its unsafe end-of-data detection.
 */
final class SpoolingDataCmdHandler extends DataCmdHandler {

    private static final Response READY = new SMTPResponse("354", "End data with <CR><LF>.<CR><LF>").immutable();

    private final SessionServices services;
    private final TransactionFinisher finisher;

    SpoolingDataCmdHandler(MetricFactory metrics, SessionServices services, TransactionFinisher finisher) {
        super(metrics);
        this.services = services;
        this.finisher = finisher;
    }

    @Override
    protected Response doDATA(SMTPSession session, String argument) {
        SmtpTransaction tx = session.getAttachment(SmtpTransaction.KEY, State.Transaction).orElse(null);
        if (tx == null || tx.recipients.isEmpty()) {
            return Replies.response(503, "5.5.1", "Need RCPT command");
        }
        ConnectionState connection = ConnectionState.of(
                ((GatewayTransport) ((ProtocolSessionImpl) session).getProtocolTransport()).channel());
        SpooledMessage message = services.spool().create(tx.id);
        MessageReceiver receiver = new MessageReceiver(services, finisher, tx, message, connection);
        services.tracker().begin();
        session.setAttachment(MessageReceiver.KEY, receiver, State.Transaction);
        connection.dataStartedNanos = System.nanoTime();
        session.pushLineHandler(receiver);
        return READY;
    }
}
