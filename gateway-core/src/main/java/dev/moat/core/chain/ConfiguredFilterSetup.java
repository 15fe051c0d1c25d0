package dev.moat.core.chain;

import dev.moat.filter.FilterMetrics;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import java.time.Clock;

/** The {@link FilterSetup} Moat hands a factory (also used by the test kit). */
public record ConfiguredFilterSetup(FilterSettings settings, FilterMetrics metrics, Clock clock) implements FilterSetup {
}
