package dev.moat.core.delivery;

import dev.moat.core.config.RouteConfig;
import dev.moat.core.config.RouteMode;
import dev.moat.core.queue.MessageQueue;
import dev.moat.core.queue.QueuedEnvelope;
import dev.moat.core.queue.QueuedRecipient;
import dev.moat.core.relay.InlineRelay;
import dev.moat.core.reload.PolicyHolder;
import dev.moat.core.store.CaptureStore;
import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.MessageWriter;
import dev.moat.filter.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases a quarantined message: delivers it, as stored (with the Received field Moat added when
 * it arrived), to its recipients through the route the current routes give them — the next hop for
 * an inline route (the same SMTP client as live relaying), the capture store for a capture route —
 * and removes it from the quarantine only once that delivery succeeded. A failed delivery leaves it
 * where it was, so a release can be retried and a message is never lost.
 *
 * <p>All-or-nothing: the recipients must all resolve to one route (as a transaction's do when it is
 * received), and on an inline route every recipient must be accepted before DATA is sent, so a
 * release never delivers to only some recipients. Two releases of one message at the same time:
 * the second is refused ({@link Status#BUSY}). Thread-safe; blocking (runs on the caller's thread).
 */
public final class QuarantineRelease {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineRelease.class);

    /** How a release ended. */
    public enum Status {
        /** Delivered and removed from the quarantine. */
        RELEASED,
        /** No such message in the quarantine. */
        NOT_FOUND,
        /** Another release (or a delete) of the message is in progress. */
        BUSY,
        /** The recipients have no route, or several; nothing was sent. */
        NO_ROUTE,
        /** The destination refused or failed; the message stays in the quarantine. */
        FAILED
    }

    /**
     * @param route   the route's name, when one was found
     * @param mode    {@code inline} or {@code capture}, when a route was found
     * @param reply   the destination's answer (for inline: the next hop's, as a client would get it)
     * @param message for the operator
     */
    public record Outcome(Status status, Optional<String> route, Optional<String> mode, Optional<Reply> reply,
            String message) {

        public Outcome {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(message, "message");
        }

        static Outcome of(Status status, String message) {
            return new Outcome(status, Optional.empty(), Optional.empty(), Optional.empty(), message);
        }
    }

    private final CaptureStore quarantine;
    private final Delivery capture;
    private final PolicyHolder policies;
    private final String hostname;
    private final MeterRegistry registry;
    private final Optional<MessageQueue> queue;
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

    public QuarantineRelease(CaptureStore quarantine, Delivery capture, PolicyHolder policies, String hostname,
            MeterRegistry registry) {
        this(quarantine, capture, policies, hostname, registry, Optional.empty());
    }

    /** With the gateway's durable queue, for routes of mode {@code queue} and {@code inline-then-queue}. */
    public QuarantineRelease(CaptureStore quarantine, Delivery capture, PolicyHolder policies, String hostname,
            MeterRegistry registry, Optional<MessageQueue> queue) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.quarantine = Objects.requireNonNull(quarantine, "quarantine");
        this.capture = Objects.requireNonNull(capture, "capture");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.hostname = Objects.requireNonNull(hostname, "hostname");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Releases message {@code id}.
     *
     * @param actor who asked, for the log (e.g. {@code admin token from 127.0.0.1})
     */
    public Outcome release(String id, String actor) {
        if (!inProgress.add(id)) {
            return Outcome.of(Status.BUSY, "message '" + id + "' is being released right now");
        }
        try {
            Outcome outcome = attempt(id);
            String result = outcome.status().name().toLowerCase(Locale.ROOT).replace('_', '-');
            Counter.builder("moat.quarantine.releases").description("Releases of quarantined messages, by result")
                    .tag("result", result).register(registry).increment();
            if (outcome.status() == Status.RELEASED) {
                LOG.info("Quarantine: {} released message {} through route {} ({}): {}", actor, id,
                        outcome.route().orElse("-"), outcome.mode().orElse("-"), outcome.reply().map(Reply::toString).orElse("-"));
            } else {
                LOG.warn("Quarantine: release of message {} by {} failed ({}): {}", id, actor, result, outcome.message());
            }
            return outcome;
        } finally {
            inProgress.remove(id);
        }
    }

    private Outcome attempt(String id) {
        CapturedEnvelope envelope;
        try {
            if (quarantine.find(id).isEmpty()) {
                return Outcome.of(Status.NOT_FOUND, "there is no message '" + id + "' in the quarantine");
            }
            envelope = quarantine.readEnvelope(id);
        } catch (NoSuchFileException gone) {
            return Outcome.of(Status.NOT_FOUND, "there is no message '" + id + "' in the quarantine");
        } catch (IOException e) {
            LOG.error("Quarantine: cannot read message {}", id, e);
            return Outcome.of(Status.FAILED, "the message cannot be read: " + e.getMessage());
        }
        try (PolicyHolder.Lease lease = policies.acquire()) {
            Router router = lease.policy().router();
            RouteConfig route = null;
            for (String recipient : envelope.recipients()) {
                String domain = recipient.substring(recipient.lastIndexOf('@') + 1);
                Optional<RouteConfig> match = router.routeFor(domain);
                if (match.isEmpty()) {
                    return Outcome.of(Status.NO_ROUTE, "no route for recipient domain '" + domain + "'");
                }
                if (route != null && route != match.get()) {
                    return Outcome.of(Status.NO_ROUTE, "the recipients are on more than one route ('" + route.name()
                            + "' and '" + match.get().name() + "'); a release is all-or-nothing");
                }
                route = match.get();
            }
            MessageWriter content = out -> {
                try (InputStream in = quarantine.openMessage(id)) {
                    in.transferTo(out);
                }
            };
            // As the route takes new mail: a queue route queues it (Moat's own 250, then the queue's
            // retries and bounces), an inline-then-queue route relays in-line and queues when the next
            // hop answers 4xx or cannot be reached, an inline route relays (the operator sees the next
            // hop's verdict), a capture route stores. A failed release leaves it in the quarantine.
            String mode;
            Reply reply;
            if (route.mode() == RouteMode.QUEUE && queue.isPresent()) {
                mode = "queue";
                reply = queue.get().accept(queued(route, envelope), content);
            } else if (route.mode().usesNextHops()) {
                mode = "inline";
                reply = relay(route, lease.policy().relayTls(), envelope, content);
                if (route.mode() == RouteMode.INLINE_THEN_QUEUE && reply.code() / 100 == 4 && queue.isPresent()) {
                    mode = "queue";
                    reply = queue.get().accept(queued(route, envelope), content);
                }
            } else {
                mode = "capture";
                reply = capture.deliver(released(envelope), content);
            }
            if (reply.code() / 100 != 2) {
                return new Outcome(Status.FAILED, Optional.of(route.name()), Optional.of(mode), Optional.of(reply),
                        "not delivered, the message stays in the quarantine: " + reply);
            }
            String note = "";
            try {
                if (!quarantine.delete(id)) {
                    note = "; it could not be removed from the quarantine (busy), delete it there";
                }
            } catch (IOException e) {
                LOG.error("Quarantine: message {} was delivered but could not be removed", id, e);
                note = "; it could not be removed from the quarantine (" + e.getMessage() + "), delete it there";
            }
            return new Outcome(Status.RELEASED, Optional.of(route.name()), Optional.of(mode), Optional.of(reply),
                    "delivered through route '" + route.name() + "'" + note);
        }
    }

    private Reply relay(RouteConfig route, dev.moat.core.relay.NextHopTlsContexts tls, CapturedEnvelope envelope,
            MessageWriter content) {
        try (InlineRelay relay = new InlineRelay(route, tls, hostname)) {
            for (String recipient : envelope.recipients()) {
                Reply reply = relay.rcpt(envelope.sender(), envelope.mailParameters(), recipient);
                if (reply.code() / 100 != 2) {
                    return reply; // nothing sent yet: closing the relay ends the transaction (QUIT)
                }
            }
            return relay.data(envelope.id(), content);
        }
    }

    /** The envelope as the queue keeps it; RCPT parameters are not kept in the quarantine, MAIL's are. */
    private static QueuedEnvelope queued(RouteConfig route, CapturedEnvelope e) {
        java.util.Map<String, String> passOn = new java.util.LinkedHashMap<>();
        for (String key : new String[] {"SIZE", "BODY"}) {
            if (e.mailParameters().containsKey(key)) {
                passOn.put(key, e.mailParameters().get(key));
            }
        }
        return new QueuedEnvelope(e.id(), route.name(), e.receivedAt(), e.sender(),
                e.recipients().stream().map(QueuedRecipient::plain).toList(), passOn,
                Optional.ofNullable(e.mailParameters().get("RET")), Optional.ofNullable(e.mailParameters().get("ENVID")),
                e.clientIp(), e.helo());
    }

    /** The envelope as the capture store keeps it, without the quarantine reason. */
    private static CapturedEnvelope released(CapturedEnvelope e) {
        return new CapturedEnvelope(e.id(), e.receivedAt(), e.listener(), e.clientIp(), e.helo(), e.tlsProtocol(),
                e.tlsCipher(), e.authenticatedUser(), e.sender(), e.recipients(), e.mailParameters(), e.verdicts(),
                Optional.empty(), 0);
    }
}
