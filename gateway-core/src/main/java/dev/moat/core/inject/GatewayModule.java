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
import java.time.Clock;
import java.util.ServiceLoader;

/**
 * Wires a gateway from its configuration. Filter types are a {@code MapBinder<String, FilterFactory>}
 * keyed by type name: this module adds every {@link FilterFactory} found by {@link ServiceLoader} on
 * the class path (the built-in types); other modules (tests, plugins) add theirs with
 * {@link #filterTypes}. A duplicate type name fails at injector creation.
 */
public final class GatewayModule extends AbstractModule {

    private final MoatConfig config;
    private final ConfigSource source;

    /** A gateway whose configuration came from no file: it cannot be reloaded. */
    public GatewayModule(MoatConfig config) {
        this(config, ConfigSource.none());
    }

    /** A gateway that reloads {@code config} from {@code source}. */
    public GatewayModule(MoatConfig config, ConfigSource source) {
        this.config = config;
        this.source = source;
    }

    @Override
    protected void configure() {
        bind(MoatConfig.class).toInstance(config);
        bind(ConfigSource.class).toInstance(source);
        MapBinder<String, FilterFactory> types = filterTypes(binder());
        for (FilterFactory factory : ServiceLoader.load(FilterFactory.class, GatewayModule.class.getClassLoader())) {
            types.addBinding(factory.type()).toInstance(factory);
        }
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
