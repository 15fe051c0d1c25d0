package dev.moat.core.smtp;

import dev.moat.core.chain.MapNotes;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.store.VerdictRecord;
import dev.moat.filter.Address;
import dev.moat.filter.Envelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;

/**
 * Moat's state for one mail transaction, from MAIL to the final reply: the envelope after rewriting,
 * the MAIL parameters, the notes, the decisions that apply at the end (discard, quarantine) and the
 * trail of verdicts stored with the message. Kept in James's transaction state, so RSET, a new MAIL
 * after the final reply, and STARTTLS drop it. Used by the session's thread only.
 */
final class SmtpTransaction {

    static final AttachmentKey<SmtpTransaction> KEY = AttachmentKey.of("moat.transaction", SmtpTransaction.class);

    final String id;
    /** The route of the first accepted recipient; every recipient of the transaction must share it. */
    RouteConfig route;
    Optional<Address> sender = Optional.empty();
    final Map<String, String> mailParameters = new LinkedHashMap<>();
    final List<Address> recipients = new ArrayList<>();
    /** DSN parameters (NOTIFY, ORCPT) per accepted recipient, as given with its RCPT. */
    final Map<Address, Map<String, String>> recipientParameters = new java.util.HashMap<>();
    /** On an inline-then-queue route: the next hop could not be used, so this transaction goes to the queue. */
    boolean queued;
    final MapNotes notes = new MapNotes();
    final List<VerdictRecord> verdicts = new ArrayList<>();
    boolean discard;
    /** Set by the finisher when the outcome is not told by the reply code: discarded or quarantined. */
    String outcome;
    Optional<String> quarantineReason = Optional.empty();

    SmtpTransaction(String id) {
        this.id = id;
    }

    /** An immutable snapshot of the envelope as it stands. */
    Envelope envelope() {
        return new EnvelopeSnapshot(sender, Map.copyOf(mailParameters), List.copyOf(recipients));
    }

    record EnvelopeSnapshot(Optional<Address> sender, Map<String, String> mailParameters, List<Address> recipients)
            implements Envelope {
    }
}
