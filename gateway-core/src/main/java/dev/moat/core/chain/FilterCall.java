package dev.moat.core.chain;

import dev.moat.filter.Filter;
import dev.moat.filter.Verdict;

/** Calls one stage method on a filter, e.g. {@code f -> f.rcptTo(context)}. */
@FunctionalInterface
public interface FilterCall {
    Verdict call(Filter filter) throws Exception;
}
