package dev.moat.core.chain;

import dev.moat.filter.FilterMetrics;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.StateStore;
import java.time.Clock;

/** The {@link FilterSetup} Moat hands a factory (also used by the test kit). */
public record ConfiguredFilterSetup(FilterSettings settings, FilterMetrics metrics, Clock clock, StateStore state)
        implements FilterSetup {

    /** With a fresh {@link InMemoryStateStore} of the default capacity on {@code clock}. */
    public ConfiguredFilterSetup(FilterSettings settings, FilterMetrics metrics, Clock clock) {
        this(settings, metrics, clock, new InMemoryStateStore(InMemoryStateStore.DEFAULT_CAPACITY, clock));
    }
}
