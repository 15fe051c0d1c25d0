package dev.moat.core.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import dev.moat.core.config.ConfigSource;
import dev.moat.core.config.MoatConfig;
import dev.moat.filter.FilterFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.moat.core.plugin.FilterTypes;
import dev.moat.core.plugin.PluginLoader;
import java.time.Clock;

/**
 * Wires a gateway from its configuration. Filter types are a {@code MapBinder<String, FilterFactory>}
 * keyed by type name: this module adds every type the {@link PluginLoader} found (the built-in
 * filters on the class path and the plugins of {@code plugins.directory}); tests add theirs with
 * {@link #filterTypes}. A duplicate type name fails at injector creation.
 */
public final class GatewayModule extends AbstractModule {

    private final MoatConfig config;
    private final ConfigSource source;
    private final FilterTypes types;

    /** A gateway whose configuration came from no file: it cannot be reloaded. */
    public GatewayModule(MoatConfig config) {
        this(config, ConfigSource.none());
    }

    /**
     * A gateway that reloads {@code config} from {@code source}. Loads the filter types now, so that a
     * broken plugin fails here with a {@link dev.moat.core.config.ConfigException} naming it, before
     * any injector exists. The caller closes {@link #types()} when the gateway has stopped.
     */
    public GatewayModule(MoatConfig config, ConfigSource source) {
        this(config, source, PluginLoader.load(config.plugins()));
    }

    public GatewayModule(MoatConfig config, ConfigSource source, FilterTypes types) {
        this.config = config;
        this.source = source;
        this.types = types;
    }

    /** The filter types this module binds. */
    public FilterTypes types() {
        return types;
    }

    @Override
    protected void configure() {
        bind(MoatConfig.class).toInstance(config);
        bind(ConfigSource.class).toInstance(source);
        bind(FilterTypes.class).toInstance(types);
        MapBinder<String, FilterFactory> binder = filterTypes(binder());
        types.factories().forEach((name, factory) -> binder.addBinding(name).toInstance(factory));
    }

    /** The map binder of filter types, for modules that contribute types. */
    public static MapBinder<String, FilterFactory> filterTypes(com.google.inject.Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, FilterFactory.class);
    }

    @Provides
    @Singleton
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    @Provides
    @Singleton
    Clock clock() {
        return Clock.systemDefaultZone();
    }
}
