package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.filter.Verdict;
import java.util.Map;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;

/**
 * Starts Moat's transaction at MAIL FROM: requires a fresh EHLO after STARTTLS (RFC 3207 §4.2; James
 * keeps the old one), then runs the {@code mailFrom} stage and applies a sender rewrite.
 */
final class MailStageHook implements MailHook {

    private static final HookResult EHLO_AFTER_TLS = HookResult.builder()
            .hookReturnCode(HookReturnCode.deny()).smtpReturnCode("503")
            .smtpDescription("5.5.1 Send EHLO again after STARTTLS").build();

    private static final HookResult BAD_ADDRESS = HookResult.builder()
            .hookReturnCode(HookReturnCode.deny()).smtpReturnCode("553")
            .smtpDescription("5.1.7 Sender address not supported").build();

    private final SessionServices services;

    MailStageHook(SessionServices services) {
        this.services = services;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        ConnectionFacts facts = ConnectionFacts.of(session);
        if (session.isTLSStarted() && !facts.heloSinceTls) {
            return EHLO_AFTER_TLS;
        }
        if (facts.relay != null) {
            facts.relay.newTransaction(); // mirrors the client's RSET or a transaction left unfinished
        }
        SmtpTransaction tx = new SmtpTransaction(TransactionIds.next());
        facts.applyTo(tx);
        try {
            tx.sender = Addresses.of(sender);
        } catch (IllegalArgumentException e) {
            return BAD_ADDRESS;
        }
        Map<String, String> params = session.getAttachment(MailParameters.PENDING, State.Transaction).orElse(Map.of());
        tx.mailParameters.putAll(params);
        session.removeAttachment(MailParameters.PENDING, State.Transaction);

        StageContexts.Mail context = new StageContexts.Mail(SessionSnapshot.of(session, services.listener()), facts.notes, tx);
        StageResult result = facts.policy(services).chain().run(Stage.MAIL_FROM, f -> f.mailFrom(context));
        Verdict verdict = result.verdict();
        if (verdict.reply().isPresent()) {
            return Replies.refusal(verdict);
        }
        tx.sender = context.sender();
        Trail.record(tx, Stage.MAIL_FROM, result);
        Trail.markDisposition(tx, verdict);
        session.setAttachment(SmtpTransaction.KEY, tx, State.Transaction);
        return Replies.proceed(verdict.disconnect());
    }
}
