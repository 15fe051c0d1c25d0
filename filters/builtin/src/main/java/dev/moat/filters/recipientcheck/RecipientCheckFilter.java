package dev.moat.filters.recipientcheck;

import dev.moat.filter.Address;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.NoteKey;
import dev.moat.filter.Notes;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Lets only existing recipients of the domains it is responsible for pass (type
 * {@code recipient-check}; see {@code docs/filters/recipient-check.md}).
 *
 * <p>For a recipient of one of {@code domains}: known to the static list, a pattern, the file or the
 * verifier ({@code verify-with-next-hop}, asked only when the others do not know the address) →
 * {@code next} (relaying is relay-rules' decision); else, if the file cannot be read or the verifier
 * lookup failed → the failure reply (4xx); else → the unknown reply (5xx), counted per connection. Once a connection has had
 * {@code max-unknown-recipients} unknown recipients, every further RCPT gets the harvest reply and the
 * connection is closed. Recipients of other domains → {@code next}. Each looked-up recipient is counted
 * as {@code recipients.known}, {@code recipients.unknown} or {@code recipients.lookup.failures} (not
 * those of other domains, nor those refused by the harvest reply). Thread-safe: the state is immutable
 * or in {@link RecipientsFile} and {@link NextHopVerifier}, the per-connection count is in the
 * connection's notes.
 */
final class RecipientCheckFilter implements Filter {

    private final Domains domains;
    private final RecipientTable staticTable;
    private final List<Pattern> patterns;
    private final RecipientsFile file;
    private final NextHopVerifier verifier;
    private final int maxUnknown;
    private final ReplyTemplate unknownReply;
    private final ReplyTemplate failureReply;
    private final ReplyTemplate harvestReply;
    private final FilterMetrics metrics;
    /** One key per instance, so two recipient checks in one chain count separately. */
    private final NoteKey<Integer> unknownCount;

    RecipientCheckFilter(String name, Domains domains, RecipientTable staticTable, List<Pattern> patterns, RecipientsFile file,
            NextHopVerifier verifier, int maxUnknown, ReplyTemplate unknownReply, ReplyTemplate failureReply, ReplyTemplate harvestReply,
            FilterMetrics metrics) {
        this.domains = Objects.requireNonNull(domains, "domains");
        this.staticTable = Objects.requireNonNull(staticTable, "staticTable");
        this.patterns = List.copyOf(patterns);
        this.file = file;
        this.verifier = verifier;
        this.maxUnknown = maxUnknown;
        this.unknownReply = Objects.requireNonNull(unknownReply, "unknownReply");
        this.failureReply = Objects.requireNonNull(failureReply, "failureReply");
        this.harvestReply = Objects.requireNonNull(harvestReply, "harvestReply");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.unknownCount = NoteKey.of(name + ".unknown-recipients", Integer.class);
    }

    @Override
    public Verdict rcptTo(RcptContext context) {
        Notes notes = context.connectionNotes();
        int unknownSoFar = notes.get(unknownCount).orElse(0);
        Address recipient = context.recipient();
        if (maxUnknown > 0 && unknownSoFar >= maxUnknown) {
            return harvestReply.verdict(recipient);
        }
        if (!domains.contains(recipient.domain())) {
            return Verdict.next();
        }
        if (staticTable.knows(recipient) || matchesPattern(recipient)) {
            return known();
        }
        boolean failed = false;
        if (file != null) {
            switch (file.lookup(recipient)) {
                case KNOWN:
                    return known();
                case FAILURE:
                    failed = true;
                    break;
                case UNKNOWN:
                default:
                    break;
            }
        }
        if (verifier != null) {
            switch (verifier.lookup(recipient)) {
                case KNOWN:
                    return known();
                case FAILURE:
                    failed = true;
                    break;
                case UNKNOWN:
                default:
                    break;
            }
        }
        if (failed) {
            // a source that could not answer might know it: not counted towards the harvest limit
            metrics.count("recipients.lookup.failures");
            return failureReply.verdict(recipient);
        }
        metrics.count("recipients.unknown");
        notes.put(unknownCount, unknownSoFar + 1);
        return unknownReply.verdict(recipient);
    }

    private Verdict known() {
        metrics.count("recipients.known");
        return Verdict.next();
    }

    private boolean matchesPattern(Address recipient) {
        if (patterns.isEmpty()) {
            return false;
        }
        String address = recipient.toString();
        for (Pattern p : patterns) {
            if (p.matcher(address).matches()) {
                return true;
            }
        }
        return false;
    }
}
