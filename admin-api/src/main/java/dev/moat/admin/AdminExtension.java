package dev.moat.admin;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import dev.moat.core.Gateway;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.inject.GatewayExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Plugs the admin server into the gateway (found by {@link java.util.ServiceLoader}).
 *
 * <p>{@link #overrides}: the meter registry becomes one {@link PrometheusMeterRegistry} (bound as
 * both {@code MeterRegistry} and {@code PrometheusMeterRegistry}) with the JVM and process
 * binders, so every core meter lands where {@code /metrics} reads; {@link AdminServer} is bound as
 * a singleton. {@link Gateway} is bound as a singleton too: the core leaves it unscoped, and the
 * admin server must see the instance that {@code MoatRuntime} started, not a fresh one.
 *
 * <p>{@link #start}: when {@code admin.enabled}, starts the server (a failed bind fails start-up
 * with a message naming {@code admin.address}); the handle stops it. When disabled, nothing
 * listens and the handle only releases the JVM metric listeners.
 */
public final class AdminExtension implements GatewayExtension {

    @Override
    public Module overrides(MoatConfig config) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(Gateway.class).in(Scopes.SINGLETON);
                bind(AdminMetrics.class).in(Scopes.SINGLETON);
                bind(AdminServer.class).in(Scopes.SINGLETON);
            }

            @Provides
            @Singleton
            PrometheusMeterRegistry prometheusRegistry(AdminMetrics metrics) {
                return metrics.registry();
            }

            @Provides
            @Singleton
            MeterRegistry meterRegistry(PrometheusMeterRegistry registry) {
                return registry;
            }
        };
    }

    @Override
    public AutoCloseable start(Injector injector) throws Exception {
        AdminMetrics metrics = injector.getInstance(AdminMetrics.class);
        if (!injector.getInstance(MoatConfig.class).admin().enabled()) {
            return metrics;
        }
        AdminServer server = injector.getInstance(AdminServer.class);
        try {
            server.start();
        } catch (Exception | Error e) {
            metrics.close();
            throw e;
        }
        return () -> {
            try {
                server.close();
            } finally {
                metrics.close();
            }
        };
    }
}
