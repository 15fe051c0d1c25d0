package dev.moat.filter.testkit;

import dev.moat.filter.Envelope;
import dev.moat.filter.Header;
import dev.moat.filter.Verdict;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one MAIL, RCPT or DATA stage call produced, as the gateway would see it after the call.
 *
 * <pre>{@code
 * StageOutcome out = harness.data("Subject: hi\n\nbody\n");
 * VerdictAssertions.assertNext(out.verdict());
 * assertEquals(List.of(new Header("X-Scanned", "yes")), out.addedHeaders());
 * assertEquals(Set.of("x-spam"), out.removedHeaders());
 * }</pre>
 *
 * @param verdict        what the filter returned
 * @param envelope       the envelope after this stage: the filter's rewrites (sender, recipient, DATA
 *                       envelope edits) are applied only when the verdict is not reject or tempfail
 * @param addedHeaders   header fields the DATA stage adds at the top, in order (after the filter's own
 *                       removals); empty for other stages and for a refused message
 * @param removedHeaders lower-case names whose original fields the DATA stage removes; empty for other
 *                       stages and for a refused message
 */
public record StageOutcome(Verdict verdict, Envelope envelope, List<Header> addedHeaders, Set<String> removedHeaders) {

    public StageOutcome {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(envelope, "envelope");
        addedHeaders = List.copyOf(addedHeaders);
        removedHeaders = Set.copyOf(removedHeaders);
    }

    /** True if the verdict refuses (reject or tempfail), so nothing the filter asked for was applied. */
    public boolean refused() {
        return verdict.reply().isPresent();
    }
}
