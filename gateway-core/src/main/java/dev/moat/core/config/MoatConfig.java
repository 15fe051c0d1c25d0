package dev.moat.core.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The whole configuration of one Moat process, as loaded by {@link ConfigLoader}.
 *
 * <p>Immutable, so a reload builds a new instance and swaps it in; nothing ever sees half a
 * configuration.
 *
 * @param server process-wide settings
 * @param listeners the SMTP listening sockets, at least one, names unique
 * @param limits what one client may cost
 * @param filters the filter chain, in order; may be empty; names unique
 * @param routes where accepted mail goes, at least one
 * @param capture retention of the capture store
 * @param admin the admin HTTP server
 * @param auth SMTP AUTH of the submission listeners
 * @param plugins where filter plugins are loaded from
 * @param queue the durable queue of {@code queue} and {@code inline-then-queue} routes
 */
public record MoatConfig(
        ServerConfig server,
        List<ListenerConfig> listeners,
        LimitsConfig limits,
        List<FilterConfig> filters,
        List<RouteConfig> routes,
        CaptureConfig capture,
        AdminConfig admin,
        AuthConfig auth,
        PluginsConfig plugins,
        QueueConfig queue) {

    /** A configuration with the default plugins block. */
    public MoatConfig(ServerConfig server, List<ListenerConfig> listeners, LimitsConfig limits,
            List<FilterConfig> filters, List<RouteConfig> routes, CaptureConfig capture, AdminConfig admin,
            AuthConfig auth) {
        this(server, listeners, limits, filters, routes, capture, admin, auth, PluginsConfig.defaults());
    }

    /** A configuration with the default queue block. */
    public MoatConfig(ServerConfig server, List<ListenerConfig> listeners, LimitsConfig limits,
            List<FilterConfig> filters, List<RouteConfig> routes, CaptureConfig capture, AdminConfig admin,
            AuthConfig auth, PluginsConfig plugins) {
        this(server, listeners, limits, filters, routes, capture, admin, auth, plugins, QueueConfig.defaults());
    }

    /** A configuration with the default admin block. */
    public MoatConfig(ServerConfig server, List<ListenerConfig> listeners, LimitsConfig limits,
            List<FilterConfig> filters, List<RouteConfig> routes, CaptureConfig capture) {
        this(server, listeners, limits, filters, routes, capture, AdminConfig.defaults());
    }

    /** A configuration with the default auth block (no users). */
    public MoatConfig(ServerConfig server, List<ListenerConfig> listeners, LimitsConfig limits,
            List<FilterConfig> filters, List<RouteConfig> routes, CaptureConfig capture, AdminConfig admin) {
        this(server, listeners, limits, filters, routes, capture, admin, AuthConfig.defaults());
    }

    public MoatConfig {
        Objects.requireNonNull(server, "server");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(limits, "limits");
        filters = List.copyOf(filters);
        routes = List.copyOf(routes);
        Objects.requireNonNull(capture, "capture");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(plugins, "plugins");
        Objects.requireNonNull(queue, "queue");
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is required");
        }
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("at least one route is required");
        }
        Set<String> names = new HashSet<>();
        for (ListenerConfig listener : listeners) {
            if (!names.add(listener.name())) {
                throw new IllegalArgumentException("duplicate listener name '" + listener.name() + "'");
            }
        }
        if (auth.usersFile().isEmpty() && listeners.stream().anyMatch(l -> l.role().requiresAuth())) {
            throw new IllegalArgumentException("a submission listener needs auth.users-file");
        }
        names.clear();
        for (FilterConfig filter : filters) {
            if (!names.add(filter.name())) {
                throw new IllegalArgumentException("duplicate filter name '" + filter.name() + "'");
            }
        }
    }
}
