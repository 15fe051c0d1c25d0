package dev.moat.core.chain;

import dev.moat.filter.Filter;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** One configured filter: its instance name, type, timeout, the filter itself and the stages it implements. */
public record FilterInstance(String name, String type, Duration timeout, Filter filter, Set<Stage> stages) {

    public FilterInstance {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(filter, "filter");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        stages = Set.copyOf(stages);
    }

    /** An instance that runs in every stage its class overrides. */
    public static FilterInstance of(String name, String type, Duration timeout, Filter filter) {
        EnumSet<Stage> stages = EnumSet.noneOf(Stage.class);
        for (Stage stage : Stage.values()) {
            if (stage.implementedBy(filter)) {
                stages.add(stage);
            }
        }
        return new FilterInstance(name, type, timeout, filter, stages);
    }
}
