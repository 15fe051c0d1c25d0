package dev.moat.core.smtp;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerResultHandler;
import org.apache.james.protocols.smtp.SMTPResponse;

/**
 * Counts the commands a client gets wrong (replies 500 to 504: unknown, syntax, sequence, parameter)
 * for the whole connection, so RSET does not reset the count (James's own limiter keeps it per
 * transaction). The first error over {@code max-invalid-commands} is answered {@code 421 4.7.0} and
 * the connection is closed, like Postfix's {@code smtpd_hard_error_limit}.
 */
final class InvalidCommandLimiter implements ProtocolHandlerResultHandler<Response, ProtocolSession> {

    private static final AttachmentKey<Integer> ERRORS = AttachmentKey.of("moat.invalidCommands", Integer.class);

    private final int max;
    private final String hostname;

    InvalidCommandLimiter(int max, String hostname) {
        this.max = max;
        this.hostname = hostname;
    }

    @Override
    public Response onResponse(ProtocolSession session, Response response, long executionTime, ProtocolHandler handler) {
        // James reports each command twice: from the command handler, then from the dispatcher.
        if (handler instanceof CommandHandler || response == null || !isCommandError(response.getRetCode())) {
            return response;
        }
        int errors = session.getAttachment(ERRORS, State.Connection).orElse(0) + 1;
        session.setAttachment(ERRORS, errors, State.Connection);
        if (errors > max) {
            SMTPResponse closing = new SMTPResponse("421", "4.7.0 " + hostname + " Error: too many errors");
            closing.setEndSession(true);
            return closing;
        }
        return response;
    }

    private static boolean isCommandError(String code) {
        return code != null && code.length() == 3 && code.startsWith("50") && code.charAt(2) >= '0' && code.charAt(2) <= '4';
    }
}
