package dev.moat.core.smtp;

import dev.moat.core.chain.Stage;
import dev.moat.core.chain.StageResult;
import dev.moat.core.store.VerdictRecord;
import dev.moat.filter.Verdict;
import java.util.Optional;

/** Records deciding verdicts in the transaction's trail, which is stored with the message. */
final class Trail {

    private Trail() {
    }

    static void record(SmtpTransaction tx, Stage stage, StageResult result) {
        of(stage, result).ifPresent(tx.verdicts::add);
    }

    /** The trail entry for a deciding verdict; empty for {@code next}. */
    static Optional<VerdictRecord> of(Stage stage, StageResult result) {
        if (result.verdict().kind() == Verdict.Kind.NEXT || result.decidedBy().isEmpty()) {
            return Optional.empty();
        }
        var filter = result.decidedBy().get();
        String detail = result.verdict().reply().map(Object::toString)
                .or(() -> result.verdict().reason())
                .orElse(result.detail());
        return Optional.of(new VerdictRecord(filter.name(), filter.type(), stage.label(), result.verdict().label(), detail));
    }

    /** Applies a discard or quarantine given before DATA to the whole transaction. */
    static void markDisposition(SmtpTransaction tx, Verdict verdict) {
        if (verdict.kind() == Verdict.Kind.DISCARD) {
            tx.discard = true;
        } else if (verdict.kind() == Verdict.Kind.QUARANTINE && tx.quarantineReason.isEmpty()) {
            tx.quarantineReason = verdict.reason();
        }
    }
}
