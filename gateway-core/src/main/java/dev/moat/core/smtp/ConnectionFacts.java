package dev.moat.core.smtp;

import dev.moat.core.chain.MapNotes;
import dev.moat.core.relay.InlineRelay;
import dev.moat.core.reload.Policy;
import dev.moat.core.reload.PolicyHolder;
import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.core.store.VerdictRecord;
import dev.moat.filter.Verdict;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Moat's per-connection state kept in James's connection state: the filters' connection notes and
 * whether the client has said HELO/EHLO since TLS started (RFC 3207 §4.2 requires it anew).
 */
final class ConnectionFacts {

    private static final AttachmentKey<ConnectionFacts> KEY = AttachmentKey.of("moat.connectionFacts", ConnectionFacts.class);

    final MapNotes notes = new MapNotes();
    volatile boolean heloSinceTls;
    /** The user name as verified by AUTH (exactly as the client sent it); null before AUTH. */
    volatile String authenticatedUser;
    /** The next-hop session of the inline route this connection's transactions use, if any. */
    InlineRelay relay;
    /** The filters and routes this connection uses from its first stage to its last; null until needed. */
    private PolicyHolder.Lease policy;
    /** Deciding verdicts of the connect and helo stages; copied into each transaction's trail. */
    final List<VerdictRecord> verdicts = new CopyOnWriteArrayList<>();
    /** A discard or quarantine given at connect or helo; applies to every transaction. */
    volatile Verdict disposition = Verdict.next();

    /**
     * The policy of this connection: taken from the holder on first use (the connect stage) and kept
     * until {@link #releasePolicy()} at disconnect, so a reload never switches filters in the middle
     * of a connection. Session events of one connection run one at a time (ordered executor).
     */
    Policy policy(SessionServices services) {
        if (policy == null) {
            policy = services.policies().acquire();
        }
        return policy.policy();
    }

    /** The policy of this connection if it took one (it does at its connect stage). */
    Optional<Policy> policyIfTaken() {
        return policy == null ? Optional.empty() : Optional.of(policy.policy());
    }

    /** Gives the policy back; the last user of a replaced policy closes its filters. */
    void releasePolicy() {
        if (policy != null) {
            policy.close();
        }
    }

    /** Remembers a connection-stage verdict for the transactions to come. */
    void remember(Stage stage, StageResult result) {
        Trail.of(stage, result).ifPresent(verdicts::add);
        Verdict.Kind kind = result.verdict().kind();
        if (kind == Verdict.Kind.QUARANTINE || (kind == Verdict.Kind.DISCARD && disposition.kind() != Verdict.Kind.QUARANTINE)) {
            disposition = result.verdict();
        }
    }

    /** Starts a transaction's trail and disposition from what the connection stages decided. */
    void applyTo(SmtpTransaction tx) {
        tx.verdicts.addAll(verdicts);
        Trail.markDisposition(tx, disposition);
    }

    static ConnectionFacts of(SMTPSession session) {
        return session.getAttachment(KEY, State.Connection).orElseGet(() -> {
            ConnectionFacts facts = new ConnectionFacts();
            session.setAttachment(KEY, facts, State.Connection);
            return facts;
        });
    }
}
