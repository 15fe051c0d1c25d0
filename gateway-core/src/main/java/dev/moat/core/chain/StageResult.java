package dev.moat.core.chain;

import dev.moat.filter.Verdict;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one stage: the deciding verdict ({@code next} if no filter decided) and the filter
 * that gave it. A timeout or a failure of a filter is reported as a tempfail decided by that filter.
 */
public record StageResult(Verdict verdict, Optional<FilterInstance> decidedBy, String detail) {

    public static final StageResult NEXT = new StageResult(Verdict.next(), Optional.empty(), "");

    public StageResult {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(decidedBy, "decidedBy");
        Objects.requireNonNull(detail, "detail");
    }
}
