package dev.moat.core.smtp;

import java.util.Optional;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;

/**
 * MAIL FROM on a submission listener: TLS first (587), then AUTH, then a sender the user owns
 * (Postfix's {@code reject_sender_login_mismatch}). Runs before the filter chain's mailFrom stage,
 * so nothing of an unauthenticated client reaches the filters.
 */
final class SubmissionMailHook implements MailHook {

    private final Submission submission;

    SubmissionMailHook(Submission submission) {
        this.submission = submission;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (submission.needsStartTls(session)) {
            return deny("530", "5.7.0 Must issue a STARTTLS command first");
        }
        String user = ConnectionFacts.of(session).authenticatedUser;
        if (user == null) {
            return deny("530", "5.7.0 Authentication required");
        }
        Optional<String> address = sender.isNullSender() ? Optional.empty() : Optional.of(sender.asString());
        if (!submission.senders().allows(user, address)) {
            return deny("553", "5.7.1 Sender address <" + address.orElse("") + "> not owned by user " + user);
        }
        return HookResult.DECLINED;
    }

    private static HookResult deny(String code, String text) {
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode(code).smtpDescription(text).build();
    }
}
