package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.filter.Verdict;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;

/** Runs the {@code helo} stage, and notes a HELO/EHLO given after TLS started (RFC 3207 §4.2). */
final class HeloStageHook implements HeloHook {

    private final SessionServices services;

    HeloStageHook(SessionServices services) {
        this.services = services;
    }

    @Override
    public HookResult doHelo(SMTPSession session, String helo) {
        ConnectionFacts facts = ConnectionFacts.of(session);
        StageResult result = facts.policy(services).chain().run(Stage.HELO, f -> f.helo(
                new StageContexts.Helo(SessionSnapshot.of(session, services.listener()), facts.notes, helo)));
        Verdict verdict = result.verdict();
        if (verdict.reply().isPresent()) {
            return Replies.refusal(verdict);
        }
        facts.remember(Stage.HELO, result);
        if (session.isTLSStarted()) {
            facts.heloSinceTls = true;
        }
        return Replies.proceed(verdict.disconnect());
    }
}
