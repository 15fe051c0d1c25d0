package dev.moat.filters.connectionpolicy;

import dev.moat.filter.Address;
import dev.moat.filter.ConnectContext;
import dev.moat.filter.DisconnectContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.HeloContext;
import dev.moat.filter.MailContext;
import dev.moat.filter.NoteKey;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Reply;
import dev.moat.filter.SessionInfo;
import dev.moat.filter.Verdict;
import dev.moat.filters.connectionpolicy.Addresses.Cidr;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Perimeter screening per client IP: concurrent connections, connection, message and recipient rates
 * over sliding windows, HELO checks and sender checks; trusted networks are exempt from all of it.
 * Shared by every connection: the only mutable state is in the {@link RateStateStore}, and the
 * per-connection concurrency slot is remembered in the connection's notes.
 *
 * <p>Figures: the gauge {@code connection.policy.tracked.clients} (the store's
 * {@link RateStateStore#trackedClients()}) and {@code connection.policy.limited{limit}} for each
 * refusal by a limit ({@code concurrent}, {@code connection-rate}, {@code message-rate},
 * {@code recipient-rate}); HELO and sender checks are not limits and are not counted here.
 */
final class ConnectionPolicyFilter implements Filter {

    /** A limit of {@code count} events per {@code window}. */
    record Rate(int count, Duration window) {
    }

    /** The replies, one per refusal. */
    record Replies(Reply concurrency, Reply connectionRate, Reply messageRate, Reply recipientRate,
            Reply heloInvalid, Reply heloBareIp, Reply heloOwnName, Reply senderInvalid, Reply nullSender) {
    }

    /** Everything configured, validated by the factory. */
    record Policy(int maxConcurrent, Rate connectionRate, Rate messageRate, Rate recipientRate,
            List<Cidr> trustedNetworks, int ipv6Prefix, boolean heloChecks, Set<String> ownHostnames,
            List<byte[]> ownAddresses, boolean senderChecks, Replies replies) {
    }

    /** Per instance, so two connection-policy filters never share a slot. */
    private final NoteKey<String> slotKey = NoteKey.of("connection-policy.slot", String.class);
    private final Policy policy;
    private final RateStateStore store;
    private final Clock clock;
    private final FilterMetrics metrics;

    ConnectionPolicyFilter(Policy policy, RateStateStore store, Clock clock, FilterMetrics metrics) {
        this.policy = policy;
        this.store = store;
        this.clock = clock;
        this.metrics = metrics;
        metrics.gauge("connection.policy.tracked.clients", store::trackedClients);
    }

    RateStateStore store() {
        return store;
    }

    @Override
    public Verdict connect(ConnectContext context) {
        Optional<String> client = client(context.session());
        if (client.isEmpty()) {
            return Verdict.next();
        }
        if (policy.maxConcurrent() > 0) {
            if (!store.tryOpenConnection(client.get(), policy.maxConcurrent())) {
                return limited("concurrent", policy.replies().concurrency()).andDisconnect();
            }
            context.connectionNotes().put(slotKey, client.get());
        }
        if (!withinRate(client.get(), "connections", policy.connectionRate())) {
            return limited("connection-rate", policy.replies().connectionRate()).andDisconnect();
        }
        return Verdict.next();
    }

    @Override
    public void disconnect(DisconnectContext context) {
        Optional<String> slot = context.connectionNotes().get(slotKey);
        if (slot.isPresent()) {
            context.connectionNotes().remove(slotKey);
            store.closeConnection(slot.get());
        }
    }

    @Override
    public Verdict helo(HeloContext context) {
        if (!policy.heloChecks() || client(context.session()).isEmpty()) {
            return Verdict.next();
        }
        String helo = context.heloName().strip();
        Replies replies = policy.replies();
        byte[] literal = Addresses.addressLiteral(helo);
        if (literal != null) {
            return isOwnAddress(literal) ? refuse(replies.heloOwnName()) : Verdict.next();
        }
        if (Addresses.ip(helo) != null) {
            return refuse(replies.heloBareIp());
        }
        if (helo.startsWith("[") || !Addresses.isHostname(helo)) {
            return refuse(replies.heloInvalid());
        }
        if (policy.ownHostnames().contains(helo.toLowerCase(Locale.ROOT))) {
            return refuse(replies.heloOwnName());
        }
        return Verdict.next();
    }

    @Override
    public Verdict mailFrom(MailContext context) {
        Optional<String> client = client(context.session());
        if (client.isEmpty()) {
            return Verdict.next();
        }
        if (policy.senderChecks() && context.sender().isPresent() && !isValidSender(context.sender().get())) {
            return refuse(policy.replies().senderInvalid());
        }
        if (!withinRate(client.get(), "messages", policy.messageRate())) {
            return limited("message-rate", policy.replies().messageRate());
        }
        return Verdict.next();
    }

    @Override
    public Verdict rcptTo(RcptContext context) {
        Optional<String> client = client(context.session());
        if (client.isEmpty()) {
            return Verdict.next();
        }
        if (policy.senderChecks() && context.envelope().sender().isEmpty()
                && !context.envelope().recipients().isEmpty()) {
            return refuse(policy.replies().nullSender());
        }
        if (!withinRate(client.get(), "recipients", policy.recipientRate())) {
            return limited("recipient-rate", policy.replies().recipientRate());
        }
        return Verdict.next();
    }

    @Override
    public void close() {
        store.close();
    }

    /** The key the client is counted under; empty for a trusted client (or one without an address). */
    private Optional<String> client(SessionInfo session) {
        InetAddress address = session.clientAddress().getAddress();
        if (address == null) {
            return Optional.empty();
        }
        byte[] bytes = Addresses.normalize(address);
        for (Cidr network : policy.trustedNetworks()) {
            if (network.contains(bytes)) {
                return Optional.empty();
            }
        }
        return Optional.of(Addresses.clientKey(bytes, policy.ipv6Prefix()));
    }

    private boolean withinRate(String client, String counter, Rate rate) {
        return rate == null || store.tryCount(client, counter, rate.count(), rate.window(), clock.millis());
    }

    private boolean isOwnAddress(byte[] address) {
        for (byte[] own : policy.ownAddresses()) {
            if (Arrays.equals(own, address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isValidSender(Address sender) {
        return Addresses.isLocalPart(sender.localPart()) && Addresses.isMailDomain(sender.domain())
                && sender.localPart().length() + 1 + sender.domain().length() <= 254;
    }

    /** A refusal by one of the limits, counted as {@code connection.policy.limited{limit}}. */
    private Verdict limited(String limit, Reply reply) {
        metrics.count("connection.policy.limited", "limit", limit);
        return refuse(reply);
    }

    private static Verdict refuse(Reply reply) {
        return Verdict.refuse(reply);
    }
}
