package dev.moat.core.smtp;

import dev.moat.core.config.BareLineEndings;
import dev.moat.core.message.SpooledMessage;
import java.io.IOException;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the message after 354, line by line, into the spool. The rules a gateway must keep:
 * <ul>
 *   <li>DATA ends only at {@code <CRLF>.<CRLF>}: a "." line counts only if it and the line before
 *       both ended with CRLF. Anything else ({@code \n.\r\n}, {@code .\n}, {@code \r.\r}) is content,
 *       so no SMTP smuggling through Moat.</li>
 *   <li>A bare LF or CR fails the transaction with {@code 550 5.6.11} ({@code reject}), or becomes
 *       CRLF ({@code normalize}); a message with them is never delivered as is.</li>
 *   <li>A line over the limit fails it with {@code 554 5.6.0}; a message over the size limit with
 *       {@code 552 5.3.4} (writing stops, so disk and memory stay flat).</li>
 *   <li>Failures are answered once, at the final dot, so a pipelining client stays in step.</li>
 * </ul>
 * Dot-stuffing is undone (RFC 5321 §4.5.2). One instance per transaction, used by its session only.
 */
final class MessageReceiver implements LineHandler<SMTPSession> {

    static final AttachmentKey<MessageReceiver> KEY = AttachmentKey.of("moat.receiver", MessageReceiver.class);
    private static final Logger LOG = LoggerFactory.getLogger(MessageReceiver.class);

    private enum Failure { NONE, BARE_LINE_ENDING, LINE_TOO_LONG, TOO_BIG, SPOOL_ERROR }

    private final SessionServices services;
    private final TransactionFinisher finisher;
    private final SmtpTransaction tx;
    private final SpooledMessage message;
    private final ConnectionState connection;
    private final boolean normalize;
    private final long maxSize;
    private final int maxLine;
    private boolean previousEndedWithCrlf = true;
    private long size;
    private Failure failure = Failure.NONE;
    private boolean released;

    MessageReceiver(SessionServices services, TransactionFinisher finisher, SmtpTransaction tx, SpooledMessage message,
            ConnectionState connection) {
        this.services = services;
        this.finisher = finisher;
        this.tx = tx;
        this.message = message;
        this.connection = connection;
        this.normalize = services.limits().bareLineEndings() == BareLineEndings.NORMALIZE;
        this.maxSize = services.limits().maxMessageSize();
        this.maxLine = services.limits().maxDataLineLength();
    }

    /** Called for a line the framer could not keep; false if no message is being received. */
    static boolean markOverlong(org.apache.james.protocols.api.ProtocolSession session, boolean endedByCrlf) {
        return session.getAttachment(KEY, State.Transaction).map(r -> {
            r.fail(Failure.LINE_TOO_LONG);
            r.previousEndedWithCrlf = endedByCrlf;
            return true;
        }).orElse(false);
    }

    @Override
    public Response onLine(SMTPSession session, byte[] line) {
        int length = line.length;
        boolean crlf = length >= 2 && line[length - 1] == '\n' && line[length - 2] == '\r';
        if (crlf && length == 3 && line[0] == '.' && previousEndedWithCrlf) {
            return finish(session);
        }
        int contentLength = length - (crlf ? 2 : (length > 0 && line[length - 1] == '\n' ? 1 : 0));
        boolean bare = !crlf || indexOf(line, (byte) '\r', contentLength) >= 0;
        boolean startOfLine = previousEndedWithCrlf;
        previousEndedWithCrlf = crlf;
        if (bare && !normalize) {
            fail(Failure.BARE_LINE_ENDING);
        }
        // The transparency dot a client adds to a line starting with "." does not count (RFC 5321 §4.5.3.1.6).
        int stuffing = startOfLine && length > 0 && line[0] == '.' ? 1 : 0;
        if (contentLength - stuffing > maxLine) {
            fail(Failure.LINE_TOO_LONG);
        }
        if (failure != Failure.NONE) {
            return null;
        }
        byte[] out = bare ? normalized(line) : line;
        int offset = startOfLine && out.length > 1 && out[0] == '.' ? 1 : 0;
        int count = out.length - offset;
        size += count;
        if (size > maxSize) {
            fail(Failure.TOO_BIG);
            message.discard();
            return null;
        }
        try {
            message.write(out, offset, count);
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not spool message {}", tx.id, e);
            fail(Failure.SPOOL_ERROR);
            message.discard();
        }
        return null;
    }

    private void fail(Failure reason) {
        if (failure == Failure.NONE) {
            failure = reason;
        }
    }

    private Response finish(SMTPSession session) {
        connection.dataStartedNanos = 0;
        session.popLineHandler();
        Response response;
        try {
            response = switch (failure) {
                case NONE -> {
                    message.seal();
                    yield finisher.finish(session, tx, message);
                }
                case BARE_LINE_ENDING -> Replies.response(550, "5.6.11", "Message contains bare CR or LF characters (RFC 5321 section 2.3.8)");
                case LINE_TOO_LONG -> Replies.response(554, "5.6.0", "Message has a line longer than " + maxLine + " characters");
                case TOO_BIG -> Replies.response(552, "5.3.4", "Message size exceeds fixed maximum message size");
                case SPOOL_ERROR -> Replies.response(451, "4.3.0", "Local error in processing, try again later");
            };
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not finish transaction {}", tx.id, e);
            response = Replies.response(451, "4.3.0", "Local error in processing, try again later");
        } finally {
            release();
        }
        if (failure != Failure.NONE) {
            LOG.info("Transaction {} refused at end of data: {}", tx.id, failure);
        } else {
            services.metrics().messageSize(size);
        }
        String code = response.getRetCode();
        services.metrics().transaction(tx.outcome != null ? tx.outcome
                : code.startsWith("2") ? "accepted" : code.startsWith("4") ? "tempfailed" : "rejected");
        session.resetState();
        return response;
    }

    /** Frees the spool; called at the end and when the client goes away mid-DATA. Idempotent. */
    void release() {
        message.discard();
        if (!released) {
            released = true;
            connection.dataStartedNanos = 0;
            services.tracker().end();
        }
    }

    /** The line with every bare CR and bare LF (and the final LF) turned into CRLF. */
    private static byte[] normalized(byte[] line) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(line.length + 8);
        for (int i = 0; i < line.length; i++) {
            byte b = line[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < line.length && line[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, byte b, int end) {
        for (int i = 0; i < end; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
