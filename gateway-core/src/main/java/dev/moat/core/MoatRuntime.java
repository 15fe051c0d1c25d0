package dev.moat.core;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import dev.moat.core.config.ConfigSource;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.inject.GatewayExtension;
import dev.moat.core.inject.GatewayModule;
import dev.moat.core.plugin.FilterTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Moat process: the injector, the gateway, and the extensions found on the class path
 * (such as the admin API), started and stopped together. Used by {@code Main} and by tests.
 */
public final class MoatRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MoatRuntime.class);

    private final MoatConfig config;
    private final Injector injector;
    private final Gateway gateway;
    private final FilterTypes types;
    private final List<AutoCloseable> running = new ArrayList<>();

    private MoatRuntime(MoatConfig config, Injector injector, FilterTypes types) {
        this.config = config;
        this.injector = injector;
        this.gateway = injector.getInstance(Gateway.class);
        this.types = types;
    }

    /**
     * Builds the injector from the gateway module, the extensions' overrides and {@code extra}
     * (tests add filter types there), starts the gateway, then the extensions. On failure whatever
     * started is stopped again and the exception is thrown.
     */
    public static MoatRuntime start(MoatConfig config, Module... extra) throws Exception {
        return start(config, ConfigSource.none(), extra);
    }

    /** As {@link #start(MoatConfig, Module...)}, for a configuration that reloads from {@code source}. */
    public static MoatRuntime start(MoatConfig config, ConfigSource source, Module... extra) throws Exception {
        List<GatewayExtension> extensions = new ArrayList<>();
        ServiceLoader.load(GatewayExtension.class, MoatRuntime.class.getClassLoader()).forEach(extensions::add);
        GatewayModule gatewayModule = new GatewayModule(config, source);
        Module base = Modules.combine(gatewayModule, Modules.combine(extra));
        List<Module> overrides = new ArrayList<>();
        MoatRuntime runtime;
        try {
            for (GatewayExtension extension : extensions) {
                overrides.add(extension.overrides(config));
            }
            Injector injector = Guice.createInjector(Modules.override(base).with(overrides));
            runtime = new MoatRuntime(config, injector, gatewayModule.types());
        } catch (RuntimeException | Error e) {
            gatewayModule.types().close();
            throw e;
        }
        try {
            runtime.gateway.start();
            for (GatewayExtension extension : extensions) {
                runtime.running.add(extension.start(runtime.injector));
            }
        } catch (Exception | Error e) {
            runtime.shutdown(Duration.ZERO);
            throw e;
        }
        return runtime;
    }

    public Gateway gateway() {
        return gateway;
    }

    public Injector injector() {
        return injector;
    }

    public MoatConfig config() {
        return config;
    }

    /** Stops the extensions, then drains the gateway for up to {@code grace}. */
    public void shutdown(Duration grace) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                LOG.warn("An extension failed to stop", e);
            }
        }
        running.clear();
        gateway.shutdown(grace);
        // Only now that no filter runs any more may the plugins' jars be closed.
        types.close();
    }

    @Override
    public void close() {
        shutdown(config.server().shutdownGrace());
    }
}
