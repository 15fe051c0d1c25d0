package dev.moat.core.delivery;

import dev.moat.core.config.RouteConfig;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the route for a recipient domain: an exact domain beats a wildcard subdomain ({@code *.x},
 * the longest one first), which beats {@code *}. Among equals, the first route in the configuration
 * wins. Immutable; thread-safe.
 */
public final class Router {

    private final List<RouteConfig> routes;

    public Router(List<RouteConfig> routes) {
        this.routes = List.copyOf(routes);
    }

    public Optional<RouteConfig> routeFor(String domain) {
        return match(domain).map(Match::route);
    }

    /** The route for a domain and whether only the catch-all {@code *} matched it. */
    public record Match(RouteConfig route, boolean catchAll) {
    }

    public Optional<Match> match(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        RouteConfig best = null;
        int bestScore = -1;
        for (RouteConfig route : routes) {
            for (String pattern : route.domains()) {
                int score = score(pattern, d);
                if (score > bestScore) {
                    best = route;
                    bestScore = score;
                }
            }
        }
        return best == null ? Optional.empty() : Optional.of(new Match(best, bestScore == 0));
    }

    public List<RouteConfig> routes() {
        return routes;
    }

    /** Higher is more specific; -1 is no match. */
    private static int score(String pattern, String domain) {
        if (pattern.equals(domain)) {
            return Integer.MAX_VALUE;
        }
        if (pattern.startsWith("*.") && domain.endsWith(pattern.substring(1))) {
            return pattern.length();
        }
        return pattern.equals(RouteConfig.ANY_DOMAIN) ? 0 : -1;
    }
}
