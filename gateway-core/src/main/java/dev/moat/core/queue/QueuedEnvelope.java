package dev.moat.core.queue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The unchanging part of a queued message: who sent it to whom, with which parameters, and when it
 * arrived. Written once with the message; what changes (per-recipient outcomes, attempts) is the
 * {@link QueueState}. Immutable.
 *
 * @param id the queue id (the transaction id), {@code [A-Za-z0-9._-]{1,64}}
 * @param route the name of the route whose next hops deliver it
 * @param receivedAt when Moat accepted it; the lifetime counts from here
 * @param sender the reverse path; {@code ""} for the null sender (a DSN is never sent for it)
 * @param recipients the recipients, at least one
 * @param mailParameters SIZE and BODY as given by the client, passed on to the next hop
 * @param ret the DSN RET parameter ({@code FULL} or {@code HDRS}), if given
 * @param envid the DSN ENVID parameter (xtext), if given
 * @param clientIp the client's address, for the DSN's {@code Received-From-MTA}
 * @param helo the client's HELO name
 */
public record QueuedEnvelope(String id, String route, Instant receivedAt, String sender, List<QueuedRecipient> recipients,
        Map<String, String> mailParameters, Optional<String> ret, Optional<String> envid, String clientIp, String helo) {

    public QueuedEnvelope {
        Objects.requireNonNull(id, "id");
        if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("not a queue id: " + id);
        }
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("recipients must not be empty");
        }
        mailParameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mailParameters));
        Objects.requireNonNull(ret, "ret");
        Objects.requireNonNull(envid, "envid");
        Objects.requireNonNull(clientIp, "clientIp");
        Objects.requireNonNull(helo, "helo");
    }

    /** This envelope delivered by another route (after a requeue). */
    public QueuedEnvelope withRoute(String newRoute) {
        return new QueuedEnvelope(id, newRoute, receivedAt, sender, recipients, mailParameters, ret, envid, clientIp, helo);
    }
}
