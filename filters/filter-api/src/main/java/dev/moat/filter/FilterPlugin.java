package dev.moat.filter;

import java.util.List;

/**
 * The entry point of a filter plugin: it hands Moat the {@link FilterFactory filter types} it
 * provides. Moat finds it with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.moat.filter.FilterPlugin} of the plugin's jar, and record the filter
 * API version the jar was built against in its manifest ({@value FilterApi#MANIFEST_ATTRIBUTE}).
 *
 * <h2>Call order</h2>
 * At start-up (and for {@code moat check-config}) Moat creates the class with its public
 * no-argument constructor, then calls {@link #factories()} once, on one thread, before any filter
 * exists. A constructor or {@code factories()} that throws, an empty list, a type name another
 * plugin already provides: start-up fails naming the plugin (or, with {@code plugins.on-error:
 * skip}, the plugin is left out and reported).
 *
 * <h2>Class loading</h2>
 * A plugin in {@code plugins/<name>/} gets its own class loader: it sees its own jars, the JDK,
 * and from Moat only the package {@code dev.moat.filter} and SLF4J ({@code org.slf4j}). Any other
 * library (Guava, Jackson, an HTTP client, Guice) comes from the plugin's own jars, in whatever
 * version it bundles.
 */
public interface FilterPlugin {

    /** The filter types of this plugin; not empty, type names unique. */
    List<FilterFactory> factories();
}
