package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.core.config.RouteMode;
import dev.moat.core.message.MessageAssembler;
import dev.moat.core.message.ReceivedHeader;
import dev.moat.core.message.SpooledMessage;
import dev.moat.core.message.SpooledMessageView;
import dev.moat.core.queue.QueuedEnvelope;
import dev.moat.core.queue.QueuedRecipient;
import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.MessageWriter;
import dev.moat.filter.Address;
import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides and delivers a fully received message: runs the {@code data} stage, applies the filters'
 * envelope and header edits, adds the Received header, and hands the result to quarantine, to
 * nothing (discard) or to the route's delivery. Its reply is the client's answer to the final dot:
 * 250 only once the message is safe where it went. Runs on the session's worker thread.
 */
final class TransactionFinisher {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionFinisher.class);

    private final SessionServices services;

    TransactionFinisher(SessionServices services) {
        this.services = services;
    }

    Response finish(SMTPSession session, SmtpTransaction tx, SpooledMessage message) {
        SessionSnapshot snapshot = SessionSnapshot.of(session, services.listener());
        StageContexts.Data context = new StageContexts.Data(snapshot, ConnectionFacts.of(session).notes, tx,
                new SpooledMessageView(message));
        Optional<Response> foreignFrom = FromHeaderCheck.refusal(services, snapshot, message);
        if (foreignFrom.isPresent()) {
            LOG.info("Transaction {} refused: a From: address is not owned by user '{}'", tx.id,
                    snapshot.authenticatedUser().orElse("-"));
            return foreignFrom.get();
        }
        StageResult result = ConnectionFacts.of(session).policy(services).chain().run(Stage.DATA, f -> f.data(context));
        Verdict verdict = result.verdict();
        Trail.record(tx, Stage.DATA, result);
        if (verdict.reply().isPresent()) {
            LOG.info("Transaction {} refused by filter {}: {}", tx.id,
                    result.decidedBy().map(f -> f.name()).orElse("-"), verdict.reply().get());
            return Replies.response(verdict.reply().get(), verdict.disconnect());
        }
        Trail.markDisposition(tx, verdict);
        boolean inline = tx.route != null && (tx.route.mode() == RouteMode.INLINE
                || (tx.route.mode() == RouteMode.INLINE_THEN_QUEUE && !tx.queued));
        if (inline && context.changesEnvelope()) {
            // The next hop accepted these recipients already, in real time; they cannot change now.
            LOG.warn("Transaction {}: envelope changes at the data stage are ignored on inline route {}",
                    tx.id, tx.route.name());
        } else {
            context.applyEnvelope(tx);
        }

        Instant now = services.clock().instant();
        Optional<String> shownUser = services.submission().filter(sub -> sub.config().receivedShowsUser())
                .flatMap(sub -> snapshot.authenticatedUser());
        String received = ReceivedHeader.format(snapshot.heloName(), snapshot.extendedHello(), snapshot.clientIp(),
                services.hostname(), tx.id, snapshot.tls(), snapshot.authenticatedUser().isPresent(), shownUser,
                tx.recipients, ZonedDateTime.ofInstant(now, services.clock().getZone()));
        MessageWriter content = out -> MessageAssembler.write(received, context.headerEdits(), message, out);

        Reply reply;
        long started = System.nanoTime();
        String route = tx.route != null ? tx.route.name() : "none";
        String mode;
        if (tx.recipients.isEmpty() || (tx.discard && tx.quarantineReason.isEmpty())) {
            // Same reply as a delivery: a sender must not be able to probe filters by it.
            reply = new Reply(250, "2.0.0", "Ok: queued as " + tx.id);
            LOG.info("Transaction {} discarded by a filter", tx.id);
            tx.outcome = "discarded";
            return Replies.response(reply, verdict.disconnect());
        } else if (tx.quarantineReason.isPresent()) {
            mode = "quarantine";
            reply = services.quarantine().deliver(envelope(snapshot, tx, now), content);
            LOG.info("Transaction {} quarantined: {}", tx.id, tx.quarantineReason.get());
            if (reply.code() / 100 == 2) {
                tx.outcome = "quarantined";
            }
        } else if (inline) {
            mode = "inline";
            ConnectionFacts facts = ConnectionFacts.of(session);
            boolean sessionThere = facts.relay != null && facts.relay.route() == tx.route;
            reply = sessionThere
                    ? facts.relay.data(tx.id, content)
                    : new Reply(451, "4.4.2", "Next hop session lost, try again later");
            if (tx.route.mode() == RouteMode.INLINE_THEN_QUEUE && (!sessionThere || facts.relay.lastUnavailable())
                    && services.queue().isPresent()) {
                // The next hop went away during the transaction: queue instead. If it lost the
                // connection after taking the message, the recipients may get it twice (docs/queue.md).
                LOG.info("Transaction {}: next hop not available ({}), queueing instead", tx.id, reply);
                mode = "queue";
                reply = services.queue().get().accept(queuedEnvelope(snapshot, tx, now), content);
            }
        } else if (tx.route != null && tx.route.mode().usesQueue()) {
            mode = "queue";
            reply = services.queue().isPresent()
                    ? services.queue().get().accept(queuedEnvelope(snapshot, tx, now), content)
                    : new Reply(451, "4.3.0", "Local error in processing, try again later");
            LOG.info("Transaction {} from <{}> to {} recipient(s), {} bytes: {}", tx.id,
                    tx.sender.map(Address::toString).orElse(""), tx.recipients.size(), message.size(), reply);
        } else {
            mode = "capture";
            reply = services.captureDelivery().deliver(envelope(snapshot, tx, now), content);
            LOG.info("Transaction {} from <{}> to {} recipient(s), {} bytes: {}", tx.id,
                    tx.sender.map(Address::toString).orElse(""), tx.recipients.size(), message.size(), reply);
        }
        services.metrics().delivery(route, mode, reply.code() / 100 == 2 ? "delivered" : reply.isTransient() ? "failed" : "refused",
                java.time.Duration.ofNanos(System.nanoTime() - started));
        return Replies.response(reply, verdict.disconnect());
    }

    private static QueuedEnvelope queuedEnvelope(SessionSnapshot s, SmtpTransaction tx, Instant now) {
        java.util.List<QueuedRecipient> recipients = new java.util.ArrayList<>();
        for (Address a : tx.recipients) {
            java.util.Map<String, String> p = tx.recipientParameters.getOrDefault(a, java.util.Map.of());
            java.util.Set<String> notify = p.containsKey("NOTIFY")
                    ? java.util.Set.of(p.get("NOTIFY").split(",")) : java.util.Set.of();
            recipients.add(new QueuedRecipient(a.toString(), notify, java.util.Optional.ofNullable(p.get("ORCPT"))));
        }
        java.util.Map<String, String> passOn = new java.util.LinkedHashMap<>();
        for (String key : new String[] {"SIZE", "BODY"}) {
            if (tx.mailParameters.containsKey(key)) {
                passOn.put(key, tx.mailParameters.get(key));
            }
        }
        return new QueuedEnvelope(tx.id, tx.route.name(), now, tx.sender.map(Address::toString).orElse(""), recipients,
                passOn, java.util.Optional.ofNullable(tx.mailParameters.get("RET")),
                java.util.Optional.ofNullable(tx.mailParameters.get("ENVID")), s.clientIp(), s.heloName().orElse(""));
    }

    private CapturedEnvelope envelope(SessionSnapshot s, SmtpTransaction tx, Instant now) {
        return new CapturedEnvelope(tx.id, now, s.listener(), s.clientIp(), s.heloName().orElse(""),
                s.tls().map(t -> t.protocol()), s.tls().map(t -> t.cipherSuite()), s.authenticatedUser(),
                tx.sender.map(Address::toString).orElse(""),
                tx.recipients.stream().map(Address::toString).toList(),
                tx.mailParameters, tx.verdicts, tx.quarantineReason, 0);
    }
}
