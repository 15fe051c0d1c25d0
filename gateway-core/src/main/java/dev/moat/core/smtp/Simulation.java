package dev.moat.core.smtp;

import dev.moat.core.chain.FilterCall;
import dev.moat.core.chain.FilterChain;
import dev.moat.core.chain.FilterInstance;
import dev.moat.core.chain.MapNotes;
import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.config.RouteMode;
import dev.moat.core.delivery.Router;
import dev.moat.core.message.Spool;
import dev.moat.core.message.SpooledMessage;
import dev.moat.core.message.SpooledMessageView;
import dev.moat.filter.Address;
import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * "What would happen to this mail": runs an envelope (and optionally a message) from a given client
 * through a filter chain stage by stage, as an SMTP session would — the same contexts, the same
 * per-filter timeouts, the same relay and route rules at RCPT — and records every filter's verdict
 * in order. Nothing is delivered, no next hop is contacted, nothing is stored (the message lives in
 * the spool only while the {@code data} stage runs).
 *
 * <p>The caller gives it the chain to run; the gateway gives it a chain built for the simulation
 * alone, so the live filters' state (rate counters, caches) and the live metrics are untouched.
 * Not thread-safe: one simulation per instance.
 */
public final class Simulation {

    /**
     * One simulated session.
     *
     * @param listener the listener the connection would arrive on
     * @param client   the client's address (the port is not used by filters; 0 is fine)
     * @param helo     the HELO/EHLO name; empty: the helo stage does not run
     * @param sender   the reverse path; empty for the null sender {@code <>}
     * @param message  the message as it would be after DATA (CRLF line ends, not dot-stuffed); empty:
     *                 the data stage does not run
     */
    public record Request(String listener, InetSocketAddress client, Optional<String> helo, Optional<Address> sender,
            List<Address> recipients, Optional<byte[]> message) {

        public Request {
            Objects.requireNonNull(listener, "listener");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(helo, "helo");
            Objects.requireNonNull(sender, "sender");
            recipients = List.copyOf(recipients);
            if (recipients.isEmpty()) {
                throw new IllegalArgumentException("at least one recipient is needed");
            }
            Objects.requireNonNull(message, "message");
        }
    }

    /** One filter call: its stage, the recipient for {@code rcptTo}, and its verdict (or timeout/error in {@code detail}). */
    public record Call(String stage, Optional<String> recipient, String filter, String type, Verdict verdict, String detail) {
    }

    /** One recipient's fate at RCPT: the reply the client would get, and the route if accepted. */
    public record Recipient(String address, Reply reply, Optional<RouteConfig> route) {
        public boolean accepted() {
            return reply.code() / 100 == 2;
        }
    }

    /**
     * The outcome.
     *
     * @param outcome     {@code accepted}, {@code rejected}, {@code tempfailed}, {@code quarantined},
     *                    {@code discarded}, or {@code data-not-run} (no message given: everything up to
     *                    RCPT passed)
     * @param stage       where it was decided
     * @param reply       what the client would be told at that point
     * @param decidedBy   the filter that decided, if one did
     * @param route       where the message would go
     * @param reason      the quarantine reason, if quarantined
     * @param calls       every filter call in order
     * @param recipients  each recipient's reply at RCPT
     * @param sender      the sender after the filters' rewrites
     * @param finalRecipients the recipients the message would be delivered to, after the data stage's edits
     */
    public record Result(String outcome, String stage, Reply reply, Optional<Call> decidedBy, Optional<RouteConfig> route,
            Optional<String> reason, List<Call> calls, List<Recipient> recipients, Optional<Address> sender,
            List<Address> finalRecipients) {
    }

    private static final Reply RELAY_DENIED = new Reply(550, "5.7.1", "Relay access denied");
    private static final Reply NO_ROUTE = new Reply(550, "5.7.1", "No route to this domain");
    private static final Reply OTHER_ROUTE = new Reply(452, "4.5.3",
            "Recipient goes to another route; send it in a separate transaction");

    private final FilterChain chain;
    private final Router router;
    private final Spool spool;
    private final String id;
    private final List<Call> calls = new ArrayList<>();
    private Optional<String> quarantine = Optional.empty();
    private boolean discard;

    /**
     * @param id a session and transaction id for the filters (e.g. {@code simulation-1}); shows in their logs
     */
    public Simulation(FilterChain chain, Router router, Spool spool, String id) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.router = Objects.requireNonNull(router, "router");
        this.spool = Objects.requireNonNull(spool, "spool");
        this.id = Objects.requireNonNull(id, "id");
    }

    public Result run(Request request) throws IOException {
        MapNotes connectionNotes = new MapNotes();
        SessionSnapshot session = new SessionSnapshot(id, request.listener(), request.client(), Optional.empty(), false,
                Optional.empty(), Optional.empty());
        try {
            Decision d = stage(Stage.CONNECT, null, f -> f.connect(new StageContexts.Connect(session, connectionNotes)));
            if (d != null) {
                // at the greeting only 554 or 421 may replace 220 (as the real greeting does)
                Reply r = d.reply;
                return end(d.outcome, Stage.CONNECT, new Reply(r.isTransient() ? 421 : 554, r.enhancedStatus(), r.text()), d.call,
                        List.of(), Optional.empty(), List.of(), Optional.empty());
            }
            SessionSnapshot greeted = session;
            if (request.helo().isPresent()) {
                String helo = request.helo().get();
                greeted = new SessionSnapshot(id, request.listener(), request.client(), Optional.of(helo), true,
                        Optional.empty(), Optional.empty());
                d = stage(Stage.HELO, null, f -> f.helo(new StageContexts.Helo(session, connectionNotes, helo)));
                if (d != null) {
                    return end(d.outcome, Stage.HELO, d.reply, d.call, List.of(), Optional.empty(), List.of(), Optional.empty());
                }
            }
            SessionSnapshot snapshot = greeted;
            SmtpTransaction tx = new SmtpTransaction(id);
            tx.sender = request.sender();
            StageContexts.Mail mail = new StageContexts.Mail(snapshot, connectionNotes, tx);
            d = stage(Stage.MAIL_FROM, null, f -> f.mailFrom(mail));
            if (d != null) {
                return end(d.outcome, Stage.MAIL_FROM, d.reply, d.call, List.of(), Optional.empty(), List.of(), tx.sender);
            }
            tx.sender = mail.sender();

            List<Recipient> recipients = new ArrayList<>();
            for (Address address : request.recipients()) {
                recipients.add(rcpt(snapshot, connectionNotes, tx, address));
            }
            if (tx.recipients.isEmpty()) {
                Recipient last = recipients.get(recipients.size() - 1);
                return end(last.reply().isTransient() ? "tempfailed" : "rejected", Stage.RCPT_TO, last.reply(),
                        Optional.empty(), recipients, Optional.empty(), List.of(), tx.sender);
            }
            Optional<RouteConfig> route = Optional.of(tx.route);
            if (request.message().isEmpty()) {
                return end("data-not-run", Stage.RCPT_TO, new Reply(250, "2.1.5", "Ok"), Optional.empty(), recipients,
                        route, List.copyOf(tx.recipients), tx.sender);
            }
            SpooledMessage message = spool.create(id);
            try {
                byte[] bytes = request.message().get();
                message.write(bytes, 0, bytes.length);
                message.seal();
                StageContexts.Data data = new StageContexts.Data(snapshot, connectionNotes, tx, new SpooledMessageView(message));
                d = stage(Stage.DATA, null, f -> f.data(data));
                if (d != null) {
                    return end(d.outcome, Stage.DATA, d.reply, d.call, recipients, route, List.copyOf(tx.recipients), tx.sender);
                }
                boolean inline = tx.route.mode() == RouteMode.INLINE;
                if (!inline) {
                    data.applyEnvelope(tx); // on an inline route the next hop has the recipients already
                }
            } finally {
                message.discard();
                message.close();
            }
            Reply queued = new Reply(250, "2.0.0", "Ok: queued as " + id);
            String outcome = quarantine.isPresent() ? "quarantined"
                    : discard || tx.recipients.isEmpty() ? "discarded" : "accepted";
            return end(outcome, Stage.DATA, queued, Optional.empty(), recipients, route, List.copyOf(tx.recipients), tx.sender);
        } finally {
            if (chain.hasStage(Stage.DISCONNECT)) {
                for (FilterInstance f : chain.filters()) {
                    if (f.stages().contains(Stage.DISCONNECT)) {
                        StageResult r = chain.runOne(Stage.DISCONNECT, f, g -> {
                            g.disconnect(new StageContexts.Disconnect(session, connectionNotes));
                            return Verdict.next();
                        });
                        calls.add(new Call(Stage.DISCONNECT.label(), Optional.empty(), f.name(), f.type(), r.verdict(), r.detail()));
                    }
                }
            }
        }
    }

    /** RCPT as {@link RcptStageHook} does it: the filters, then the relay and route rules. */
    private Recipient rcpt(SessionSnapshot session, MapNotes notes, SmtpTransaction tx, Address address) {
        StageContexts.Rcpt context = new StageContexts.Rcpt(session, notes, tx, address, java.util.Map.of());
        Decision d = stage(Stage.RCPT_TO, address.toString(), f -> f.rcptTo(context));
        if (d != null) {
            return new Recipient(address.toString(), d.reply, Optional.empty());
        }
        Verdict.Kind kind = lastKind;
        Address recipient = context.recipient();
        Optional<Router.Match> match = router.match(recipient.domain());
        if (match.isEmpty()) {
            return new Recipient(address.toString(), kind == Verdict.Kind.NEXT ? RELAY_DENIED : NO_ROUTE, Optional.empty());
        }
        RouteConfig route = match.get().route();
        boolean deliverable = !match.get().catchAll() || route.mode() == RouteMode.CAPTURE;
        if (kind == Verdict.Kind.NEXT && !deliverable) {
            return new Recipient(address.toString(), RELAY_DENIED, Optional.empty());
        }
        if (tx.route != null && tx.route != route) {
            return new Recipient(address.toString(), OTHER_ROUTE, Optional.empty());
        }
        tx.route = route;
        if (!tx.recipients.contains(recipient)) {
            tx.recipients.add(recipient);
        }
        return new Recipient(address.toString(), new Reply(250, "2.1.5", "Ok"), Optional.of(route));
    }

    /** The deciding verdict of a stage that ended the step: a refusal. */
    private record Decision(String outcome, Reply reply, Optional<Call> call) {
    }

    private Verdict.Kind lastKind = Verdict.Kind.NEXT;

    /**
     * Runs every filter of {@code stage} in order, one by one, as the chain would, until one decides.
     * Returns the refusal if the step is refused; null if it passes (accept, next, or a disposition:
     * discard and quarantine are remembered for the end, as a session does).
     */
    private Decision stage(Stage stage, String recipient, FilterCall call) {
        lastKind = Verdict.Kind.NEXT;
        for (FilterInstance f : chain.filters()) {
            if (!f.stages().contains(stage)) {
                continue;
            }
            StageResult result = chain.runOne(stage, f, call);
            Verdict verdict = result.verdict();
            Call record = new Call(stage.label(), Optional.ofNullable(recipient), f.name(), f.type(), verdict, result.detail());
            calls.add(record);
            if (verdict.kind() == Verdict.Kind.NEXT) {
                continue;
            }
            lastKind = verdict.kind();
            if (verdict.reply().isPresent()) {
                Reply reply = verdict.reply().get();
                return new Decision(reply.isTransient() ? "tempfailed" : "rejected", reply, Optional.of(record));
            }
            if (verdict.kind() == Verdict.Kind.QUARANTINE && quarantine.isEmpty()) {
                quarantine = Optional.of(verdict.reason().orElse(f.name()));
            } else if (verdict.kind() == Verdict.Kind.DISCARD) {
                discard = true;
            }
            return null; // the first verdict other than next ends the stage
        }
        return null;
    }

    private Result end(String outcome, Stage stage, Reply reply, Optional<Call> decidedBy, List<Recipient> recipients,
            Optional<RouteConfig> route, List<Address> finalRecipients, Optional<Address> sender) {
        // the live list: the disconnect calls made after this (in run's finally) belong to the result too
        return new Result(outcome, stage.label(), reply, decidedBy, route, quarantine, java.util.Collections.unmodifiableList(calls),
                List.copyOf(recipients), sender, finalRecipients);
    }
}
