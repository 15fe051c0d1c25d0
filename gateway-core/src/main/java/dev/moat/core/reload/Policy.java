package dev.moat.core.reload;

import dev.moat.core.chain.FilterChain;
import dev.moat.core.config.FilterConfig;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.delivery.Router;
import dev.moat.core.relay.NextHopTlsContexts;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a configuration reload replaces, as one unit: the filter chain and the routes (with the
 * routes' TLS settings for the next hops). A connection takes one policy when it opens and uses
 * it until it closes (see {@link PolicyHolder}), so the filters that saw its {@code connect}
 * stage also see its {@code disconnect}, and a transaction never mixes two configurations.
 *
 * @param generation 1 for the policy of start-up, one more for each successful reload
 * @param loadedAt   when it was built
 * @param filters    the configuration the chain was built from (for the admin views)
 */
public record Policy(long generation, Instant loadedAt, List<FilterConfig> filters, FilterChain chain,
        List<RouteConfig> routes, Router router, NextHopTlsContexts relayTls) {

    public Policy {
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1: " + generation);
        }
        Objects.requireNonNull(loadedAt, "loadedAt");
        filters = List.copyOf(filters);
        Objects.requireNonNull(chain, "chain");
        routes = List.copyOf(routes);
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(relayTls, "relayTls");
    }
}
