package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.filter.Address;
import dev.moat.filter.Verdict;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.config.RouteMode;
import dev.moat.core.delivery.Router;
import dev.moat.core.relay.InlineRelay;
import dev.moat.filter.Reply;
import java.util.HashMap;
import java.util.Optional;
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

    private static final HookResult NO_ROUTE = HookResult.builder()
            .hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
            .smtpDescription("5.7.1 No route to this domain").build();
    private static final HookResult BAD_ADDRESS = HookResult.builder()
            .hookReturnCode(HookReturnCode.deny()).smtpReturnCode("553")
            .smtpDescription("5.1.3 Recipient address not supported").build();
    private static final HookResult OTHER_ROUTE = HookResult.builder()
            .hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("452")
            .smtpDescription("4.5.3 Recipient goes to another route; send it in a separate transaction").build();

    private static final HookResult BAD_DSN = HookResult.builder()
            .hookReturnCode(HookReturnCode.deny()).smtpReturnCode("501")
            .smtpDescription("5.5.4 Invalid NOTIFY or ORCPT parameter").build();
    private static final HookResult QUEUE_FULL = HookResult.builder()
            .hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("452")
            .smtpDescription("4.3.1 Insufficient system storage, try again later").build();

    private final SessionServices services;

    RcptStageHook(SessionServices services) {
        this.services = services;
    }

    /** NOTIFY and ORCPT when DSN is advertised (James refuses undeclared RCPT parameters with 504). */
    @Override
    public java.util.Set<String> supportedParameters() {
        return services.queue().isPresent() ? DsnParameters.NAMES : java.util.Set.of();
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt, Map<String, String> parameters) {
        SmtpTransaction tx = session.getAttachment(SmtpTransaction.KEY, State.Transaction).orElse(null);
        if (tx == null) {
            return NO_TRANSACTION;
        }
        Map<String, String> params = new HashMap<>(parameters);
        params.keySet().removeIf(k -> k.startsWith("TO:")); // James puts the command argument in the map too
        Optional<Map<String, String>> dsn = DsnParameters.parse(params);
        if (dsn.isEmpty()) {
            return BAD_DSN;
        }
        ConnectionFacts facts = ConnectionFacts.of(session);
        Address address;
        try {
            address = Addresses.of(rcpt);
        } catch (IllegalArgumentException e) {
            return BAD_ADDRESS;
        }
        StageContexts.Rcpt context = new StageContexts.Rcpt(SessionSnapshot.of(session, services.listener()),
                facts.notes, tx, address, params);
        StageResult result = facts.policy(services).chain().run(Stage.RCPT_TO, f -> f.rcptTo(context));
        Verdict verdict = result.verdict();
        if (verdict.reply().isPresent()) {
            return Replies.refusal(verdict);
        }
        Address recipient = context.recipient();
        Optional<Router.Match> match = facts.policy(services).router().match(recipient.domain());
        if (match.isEmpty()) {
            return verdict.kind() == Verdict.Kind.NEXT ? RELAY_DENIED : NO_ROUTE;
        }
        RouteConfig route = match.get().route();
        // The catch-all route vouches for any domain only when it keeps mail here (capture); for an
        // inline catch-all a filter (relay-rules) must have accepted, or Moat would be an open relay.
        boolean deliverable = !match.get().catchAll() || route.mode() == RouteMode.CAPTURE;
        if (verdict.kind() == Verdict.Kind.NEXT && !deliverable) {
            return RELAY_DENIED;
        }
        if (tx.route != null && tx.route != route) {
            return OTHER_ROUTE;
        }
        if (tx.recipients.contains(recipient)) {
            return Replies.proceed(verdict.disconnect()); // a repeated recipient: once is enough
        }
        if (route.mode() == RouteMode.INLINE || (route.mode() == RouteMode.INLINE_THEN_QUEUE && !tx.queued)) {
            InlineRelay relay = relayFor(facts, route);
            Reply downstream = relay.rcpt(tx.sender.map(Address::toString).orElse(""), tx.mailParameters, recipient.toString());
            if (downstream.code() / 100 != 2) {
                if (route.mode() != RouteMode.INLINE_THEN_QUEUE || !relay.lastUnavailable()) {
                    return Replies.refusal(Verdict.refuse(downstream));
                }
                // The next hop cannot be used at all: this transaction (every recipient of it, also
                // those it accepted before, whose next-hop transaction is gone) goes to the queue.
                tx.queued = true;
            }
        }
        if (route.mode().usesQueue() && (route.mode() == RouteMode.QUEUE || tx.queued)
                && !services.queue().map(q -> q.accepting()).orElse(false)) {
            return QUEUE_FULL;
        }
        tx.route = route;
        Trail.record(tx, Stage.RCPT_TO, result);
        Trail.markDisposition(tx, verdict);
        if (!tx.recipients.contains(recipient)) {
            tx.recipients.add(recipient);
            tx.recipientParameters.put(recipient, dsn.get());
        }
        return Replies.proceed(verdict.disconnect());
    }

    /** The connection's next-hop session for this route; another route's session is closed first. */
    private InlineRelay relayFor(ConnectionFacts facts, RouteConfig route) {
        if (facts.relay != null && facts.relay.route() != route) {
            facts.relay.close();
            facts.relay = null;
        }
        if (facts.relay == null) {
            facts.relay = new InlineRelay(route, facts.policy(services).relayTls(), services.hostname());
        }
        return facts.relay;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return doRcpt(session, sender, rcpt, Map.of());
    }
}
