package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Runs the {@code connect} stage, then greets. A refusal replaces the greeting and closes the
 * connection (RFC 5321 §3.1 allows 554 — or a 4xx, sent here as 421 — instead of 220). Replaces
 * James's welcome handler.
 */
final class GreetingHandler implements ConnectHandler<SMTPSession> {

    private final SessionServices services;

    GreetingHandler(SessionServices services) {
        this.services = services;
    }

    @Override
    public Response onConnect(SMTPSession session) {
        ConnectionFacts facts = ConnectionFacts.of(session);
        if (services.submission().isPresent() && services.submission().get().throttle()
                .blocked(SessionSnapshot.of(session, services.listener()).clientIp(), java.util.Optional.empty()).isPresent()) {
            services.submission().get().metrics().attempt(services.listener(), "blocked");
            return Replies.response(new Reply(421, "4.7.0", services.hostname()
                    + " Too many failed authentication attempts, try again later"), true);
        }
        StageResult result = facts.policy(services).chain().run(Stage.CONNECT, f -> f.connect(
                new StageContexts.Connect(SessionSnapshot.of(session, services.listener()), facts.notes)));
        Verdict verdict = result.verdict();
        if (verdict.reply().isPresent()) {
            // RFC 5321 §4.3.2: at the greeting only 554 (refused) or 421 (not now) may replace 220.
            Reply reply = verdict.reply().get();
            return Replies.response(new Reply(reply.isTransient() ? 421 : 554, reply.enhancedStatus(), reply.text()), true);
        }
        facts.remember(Stage.CONNECT, result);
        SMTPResponse greeting = new SMTPResponse("220", session.getConfiguration().getGreeting());
        greeting.setEndSession(verdict.disconnect());
        return greeting;
    }
}
