package dev.moat.core.plugin;

import dev.moat.filter.FilterFactory;
import java.io.Closeable;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every filter type Moat knows, by type name, with the plugins they came from. Closing it closes the
 * plugins' class loaders (their jar files), so do it only once no filter of theirs runs any more.
 */
public final class FilterTypes implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(FilterTypes.class);

    private final Map<String, FilterFactory> factories;
    private final List<PluginReport> plugins;
    private final List<? extends Closeable> loaders;

    FilterTypes(Map<String, FilterFactory> factories, List<PluginReport> plugins, List<? extends Closeable> loaders) {
        this.factories = Map.copyOf(factories);
        this.plugins = List.copyOf(plugins);
        this.loaders = List.copyOf(loaders);
    }

    /** Types without plugins: for tests and tools that bring their own factories. */
    public static FilterTypes of(Map<String, FilterFactory> factories) {
        return new FilterTypes(new LinkedHashMap<>(factories), List.of(), List.of());
    }

    /** The factories by type name. */
    public Map<String, FilterFactory> factories() {
        return factories;
    }

    /** Every plugin considered at start-up, loaded or skipped, in load order. */
    public List<PluginReport> plugins() {
        return plugins;
    }

    @Override
    public void close() {
        for (Closeable loader : loaders) {
            try {
                loader.close();
            } catch (IOException e) {
                LOG.warn("Could not close a plugin class loader", e);
            }
        }
    }
}
