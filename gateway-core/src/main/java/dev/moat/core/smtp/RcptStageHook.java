package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.filter.Address;
import dev.moat.filter.Verdict;
import java.util.HashMap;
import java.util.Map;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;

/**
 * Runs the {@code rcptTo} stage for each recipient and is the last word on it: a recipient passes if a
 * filter accepted it or a route makes its domain deliverable; otherwise {@code 550 5.7.1}, so no
 * configuration is an open relay by accident (James accepts every recipient no hook refused).
 */
final class RcptStageHook implements RcptHook {

    private static final HookResult RELAY_DENIED = HookResult.builder()
            .hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
            .smtpDescription("5.7.1 Relay access denied").build();
    private static final HookResult NO_TRANSACTION = HookResult.builder()
            .hookReturnCode(HookReturnCode.deny()).smtpReturnCode("503")
            .smtpDescription("5.5.1 Need MAIL command").build();

    private final SessionServices services;

    RcptStageHook(SessionServices services) {
        this.services = services;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt, Map<String, String> parameters) {
        SmtpTransaction tx = session.getAttachment(SmtpTransaction.KEY, State.Transaction).orElse(null);
        if (tx == null) {
            return NO_TRANSACTION;
        }
        Map<String, String> params = new HashMap<>(parameters);
        params.keySet().removeIf(k -> k.startsWith("TO:")); // James puts the command argument in the map too
        ConnectionFacts facts = ConnectionFacts.of(session);
        StageContexts.Rcpt context = new StageContexts.Rcpt(SessionSnapshot.of(session, services.listener()),
                facts.notes, tx, Addresses.of(rcpt), params);
        StageResult result = services.chain().run(Stage.RCPT_TO, f -> f.rcptTo(context));
        Verdict verdict = result.verdict();
        if (verdict.reply().isPresent()) {
            return Replies.refusal(verdict);
        }
        Address recipient = context.recipient();
        if (verdict.kind() == Verdict.Kind.NEXT && services.router().routeFor(recipient.domain()).isEmpty()) {
            return RELAY_DENIED;
        }
        Trail.record(tx, Stage.RCPT_TO, result);
        Trail.markDisposition(tx, verdict);
        if (!tx.recipients.contains(recipient)) {
            tx.recipients.add(recipient);
        }
        return Replies.proceed(verdict.disconnect());
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return doRcpt(session, sender, rcpt, Map.of());
    }
}
