package dev.moat.filter.testkit;

import dev.moat.filter.Verdict;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link FilterHarness#send} produced for one whole transaction.
 *
 * @param mail       the MAIL FROM stage
 * @param recipients one RCPT TO stage per envelope recipient, in order (none if MAIL was refused)
 * @param data       the DATA stage; empty if MAIL or every recipient was refused (the gateway would
 *                   answer 503/554 to DATA and never call the filter)
 */
public record TransactionOutcome(StageOutcome mail, List<StageOutcome> recipients, Optional<StageOutcome> data) {

    public TransactionOutcome {
        Objects.requireNonNull(mail, "mail");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(data, "data");
    }

    /**
     * The verdict that decided the message: the DATA verdict if DATA ran, otherwise the refusal of
     * MAIL or of the last recipient.
     */
    public Verdict finalVerdict() {
        if (data.isPresent()) {
            return data.get().verdict();
        }
        return recipients.isEmpty() ? mail.verdict() : recipients.get(recipients.size() - 1).verdict();
    }
}
