package dev.moat.core.inject;

import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import dev.moat.core.config.MoatConfig;

/**
 * A part of Moat outside the core that runs beside the gateway, such as the admin API. Found with
 * {@link java.util.ServiceLoader} on the class path, so the core does not depend on it.
 * <p>
 * Call order: {@link #overrides} while the injector is built (before the gateway starts), then
 * {@link #start} once the gateway's listeners are bound; the returned handle is closed when the
 * gateway stops, before the listeners close.
 */
public interface GatewayExtension {

    /** Bindings this extension adds or replaces in the gateway's injector (e.g. the meter registry). */
    default Module overrides(MoatConfig config) {
        return Modules.EMPTY_MODULE;
    }

    /** Starts the extension; throw to fail the gateway's start-up (with a clear message). */
    AutoCloseable start(Injector injector) throws Exception;
}
