package dev.moat.filter;

import java.time.Clock;

/**
 * What Moat gives a filter instance when it is created: its settings, a metrics facade tagged with the
 * instance, a logger, a clock and a state store. Valid for the lifetime of the instance.
 */
public interface FilterSetup {

    FilterSettings settings();

    /** Figures of this instance; see {@link FilterMetrics}. */
    FilterMetrics metrics();

    /** The clock to read time from (tests substitute their own). */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /** A logger for this instance, routed to Moat's log (logback) with the instance name in it. */
    default System.Logger logger() {
        return System.getLogger("dev.moat.filter." + settings().filterName());
    }

    /** This instance's own key-value store for state kept between calls; see {@link StateStore}. */
    StateStore state();
}
