package dev.moat.core.queue;

import dev.moat.core.config.NextHop;
import dev.moat.core.relay.NextHopConnection;
import dev.moat.core.relay.NextHopException;
import dev.moat.core.relay.NextHopReply;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery worker of a route: takes due messages from its {@link Lane}, delivers each to the
 * pending recipients over a next-hop connection that it keeps open between messages (closed after
 * {@code idle-connection} without work), and records the outcome per recipient before the message is
 * scheduled again, bounced or removed. Runs on its own thread.
 *
 * <p>Order of writes after an attempt, so that a crash at any point loses nothing: (1) the DSN for
 * newly failed recipients is committed to the queue; (2) the new state is committed (or, when no
 * recipient is left, the entry is deleted). A crash between the next hop's 250 and (2) means that
 * recipient gets the message again on the next attempt — the documented duplicate window.
 */
final class QueueWorker {

    private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);

    private final MessageQueue queue;
    private final Lane lane;
    private NextHopConnection connection;

    QueueWorker(MessageQueue queue, Lane lane) {
        this.queue = queue;
        this.lane = lane;
    }

    void run() {
        try {
            while (!queue.closed()) {
                Lane.Item item;
                try {
                    item = lane.take(queue.config().idleConnection(), queue.clock());
                } catch (InterruptedException e) {
                    return;
                }
                if (item == null) {
                    closeConnection();
                    continue;
                }
                Long next = null;
                try {
                    next = process(item);
                } catch (IOException | RuntimeException e) {
                    LOG.error("Queue entry {}: attempt failed locally; retrying later", item.id, e);
                    dropConnection();
                    next = queue.clock().millis() + queue.config().delayAfter(Math.max(1, item.state.attempts())).toMillis();
                } finally {
                    lane.done(item, next);
                }
            }
        } finally {
            closeConnection();
        }
    }

    /** One attempt; returns when to try again (epoch ms), or null when the message left the queue. */
    private Long process(Lane.Item item) throws IOException {
        QueueStore.Entry entry = item.entry;
        QueuedEnvelope envelope = entry.envelope();
        if (item.deleteRequested) {
            queue.store().delete(item.id);
            queue.removed(item);
            return null;
        }
        if (!queue.store().verify(entry)) {
            LOG.error("Queue entry {}: message bytes do not match their checksum; moved aside, not delivered", item.id);
            queue.store().quarantine(entry.file());
            queue.metrics().corrupt();
            queue.removed(item);
            return null;
        }
        QueueState before = item.state;
        List<RecipientState> states = new ArrayList<>(before.recipients());
        Instant now = queue.clock().instant();
        queue.metrics().attempt(lane.route.name());
        boolean hopDsn = attempt(entry, states);

        Instant expiry = envelope.receivedAt().plus(queue.config().maxLifetime());
        boolean expired = !queue.clock().instant().isBefore(expiry);
        List<DsnReport.Recipient> reports = new ArrayList<>();
        int delivered = 0;
        int bounced = 0;
        int deferred = 0;
        for (int i = 0; i < states.size(); i++) {
            RecipientState was = before.recipients().get(i);
            RecipientState now2 = states.get(i);
            QueuedRecipient r = recipient(envelope, now2.address());
            if (was.status() != RecipientState.Status.PENDING) {
                continue;
            }
            if (now2.status() == RecipientState.Status.PENDING && expired) {
                now2 = now2.with(RecipientState.Status.FAILED, now2.lastReply().orElse("delivery time expired"),
                        now2.remoteMta().orElse(null));
                states.set(i, now2);
                if (r.wants("FAILURE")) {
                    reports.add(new DsnReport.Recipient(r.address(), r.orcpt(), DsnReport.Action.FAILED, "5.4.7",
                            now2.lastReply().map(t -> t + " (delivery time expired)"), now2.remoteMta()));
                }
                bounced++;
            } else if (now2.status() == RecipientState.Status.FAILED) {
                if (r.wants("FAILURE")) {
                    reports.add(new DsnReport.Recipient(r.address(), r.orcpt(), DsnReport.Action.FAILED,
                            permanentStatus(now2.lastReply()), now2.lastReply(), now2.remoteMta()));
                }
                bounced++;
            } else if (now2.status() == RecipientState.Status.DELIVERED) {
                if (!hopDsn && r.wants("SUCCESS")) {
                    reports.add(new DsnReport.Recipient(r.address(), r.orcpt(), DsnReport.Action.RELAYED, "2.0.0",
                            now2.lastReply(), now2.remoteMta()));
                }
                delivered++;
            } else {
                deferred++;
            }
        }
        String route = lane.route.name();
        queue.metrics().recipients(route, "delivered", delivered);
        queue.metrics().recipients(route, "bounced", bounced);
        queue.metrics().recipients(route, "deferred", deferred);
        if (!reports.isEmpty()) {
            queue.sendDsn(envelope, entry, reports); // (1) before the state that says "failed"
        }
        boolean finished = states.stream().noneMatch(s -> s.status() == RecipientState.Status.PENDING);
        if (finished || item.deleteRequested) {
            queue.store().delete(item.id); // (2)
            queue.removed(item);
            LOG.info("Queue entry {} done: {} delivered, {} bounced in this attempt", item.id, delivered, bounced);
            return null;
        }
        int attempts = before.attempts() + 1;
        Instant next = now.plus(queue.config().delayAfter(attempts));
        if (next.isAfter(expiry)) {
            next = expiry; // one last try at the end of the lifetime, then a bounce
        }
        QueueState after = before.afterAttempt(now, states, next);
        queue.store().writeState(item.id, after); // (2)
        item.state = after;
        LOG.info("Queue entry {}: {} recipient(s) deferred, next attempt at {}", item.id, deferred, next);
        return after.held() ? null : next.toEpochMilli();
    }

    private static QueuedRecipient recipient(QueuedEnvelope envelope, String address) {
        for (QueuedRecipient r : envelope.recipients()) {
            if (r.address().equals(address)) {
                return r;
            }
        }
        return QueuedRecipient.plain(address);
    }

    /** The RFC 3463 status of a permanent failure from its reply text (e.g. {@code 550 5.1.1 …}). */
    static String permanentStatus(Optional<String> reply) {
        if (reply.isPresent()) {
            String[] words = reply.get().split(" ", 3);
            if (words.length >= 2 && words[1].matches("5\\.\\d{1,3}\\.\\d{1,3}")) {
                return words[1];
            }
        }
        return "5.0.0";
    }

    /**
     * Tries the pending recipients once; updates {@code states} in place (delivered, failed, or pending
     * with the reason). Returns whether the next hop took DSN responsibility (it advertised DSN).
     */
    private boolean attempt(QueueStore.Entry entry, List<RecipientState> states) {
        QueuedEnvelope envelope = entry.envelope();
        boolean reused = connection != null;
        try {
            ensureConnected();
            NextHopReply mail;
            boolean hopDsn = connection.supports("DSN");
            try {
                mail = connection.mail(envelope.sender(), envelope.mailParameters(), hopDsn ? mailDsn(envelope) : "");
            } catch (NextHopException e) {
                if (!reused) {
                    throw e;
                }
                // A kept connection may have been closed by the next hop meanwhile: one fresh try.
                dropConnection();
                ensureConnected();
                hopDsn = connection.supports("DSN");
                mail = connection.mail(envelope.sender(), envelope.mailParameters(), hopDsn ? mailDsn(envelope) : "");
            }
            String hop = connection.hop().host();
            if (mail.code() == 421) {
                throw new NextHopException(connection.hop() + " is closing the session: " + mail, "4.4.2");
            }
            if (!mail.positive()) {
                setPending(states, mail.transientFailure() || mail.code() / 100 != 5
                        ? RecipientState.Status.PENDING : RecipientState.Status.FAILED, mail.toString(), hop);
                resetQuietly();
                return hopDsn;
            }
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < states.size(); i++) {
                RecipientState s = states.get(i);
                if (s.status() != RecipientState.Status.PENDING) {
                    continue;
                }
                QueuedRecipient r = recipient(envelope, s.address());
                NextHopReply reply = connection.rcpt(s.address(), hopDsn ? rcptDsn(r) : "");
                if (reply.code() == 421) {
                    throw new NextHopException(connection.hop() + " is closing the session: " + reply, "4.4.2");
                }
                if (reply.positive()) {
                    accepted.add(i);
                } else {
                    states.set(i, s.with(reply.code() / 100 == 5 ? RecipientState.Status.FAILED : RecipientState.Status.PENDING,
                            reply.toString(), hop));
                }
            }
            if (accepted.isEmpty()) {
                resetQuietly();
                return hopDsn;
            }
            NextHopReply data = connection.data(out -> {
                try (InputStream in = queue.store().openMessage(entry)) {
                    in.transferTo(out);
                }
            });
            RecipientState.Status outcome = data.positive() ? RecipientState.Status.DELIVERED
                    : data.code() / 100 == 5 ? RecipientState.Status.FAILED : RecipientState.Status.PENDING;
            for (int i : accepted) {
                states.set(i, states.get(i).with(outcome, data.toString(), hop));
            }
            if (data.code() == 421) {
                dropConnection();
            }
            return hopDsn;
        } catch (NextHopException e) {
            LOG.info("Queue entry {}: next hop not available: {}", envelope.id(), e.getMessage());
            dropConnection();
            for (int i = 0; i < states.size(); i++) {
                RecipientState s = states.get(i);
                if (s.status() == RecipientState.Status.PENDING) {
                    states.set(i, s.with(RecipientState.Status.PENDING, NextHopReply.printable(e.getMessage()), s.remoteMta().orElse(null)));
                }
            }
            return false;
        } catch (IOException e) {
            LOG.info("Queue entry {}: attempt failed: {}", envelope.id(), e.toString());
            dropConnection();
            return false;
        }
    }

    private static void setPending(List<RecipientState> states, RecipientState.Status status, String reply, String hop) {
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).status() == RecipientState.Status.PENDING) {
                states.set(i, states.get(i).with(status, reply, hop));
            }
        }
    }

    private static String mailDsn(QueuedEnvelope e) {
        StringBuilder b = new StringBuilder();
        e.ret().ifPresent(r -> b.append("RET=").append(r));
        e.envid().ifPresent(v -> b.append(b.length() > 0 ? " " : "").append("ENVID=").append(v));
        return b.toString();
    }

    private static String rcptDsn(QueuedRecipient r) {
        StringBuilder b = new StringBuilder();
        if (!r.notifyOn().isEmpty()) {
            b.append("NOTIFY=").append(String.join(",", r.notifyOn().stream().sorted().toList()));
        }
        r.orcpt().ifPresent(o -> b.append(b.length() > 0 ? " " : "").append("ORCPT=").append(o));
        return b.toString();
    }

    private void ensureConnected() throws NextHopException {
        if (connection != null) {
            return;
        }
        NextHopException last = null;
        dev.moat.core.config.RouteConfig route = queue.currentRoute(lane);
        for (NextHop hop : route.nextHops()) {
            try {
                connection = NextHopConnection.open(hop, route, queue.tls(), queue.hostname());
                return;
            } catch (NextHopException e) {
                LOG.info("Next hop {} of route {} failed: {}", hop, route.name(), e.getMessage());
                last = e;
            }
        }
        throw last;
    }

    private void resetQuietly() {
        try {
            NextHopReply r = connection.rset();
            if (!r.positive()) {
                dropConnection();
            }
        } catch (IOException e) {
            dropConnection();
        }
    }

    private void dropConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private void closeConnection() {
        if (connection != null) {
            connection.quit();
            connection = null;
        }
    }
}
