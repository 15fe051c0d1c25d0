package dev.moat.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.time.Duration;

/**
 * Where mail for some recipient domains goes (an entry of the YAML list {@code routes}).
 *
 * @param domains the recipient domains this route takes, lowercased, each one of: {@code *} (any
 *     domain), an exact domain ({@code example.com}) or a wildcard ({@code *.example.com}, which
 *     matches the subdomains of example.com at any depth but not example.com itself)
 * @param mode what happens to the mail
 * @param nextHops for {@code inline}, {@code queue} and {@code inline-then-queue}: the internal MTAs, tried in order (failover on a connection
 *     failure or a 421 greeting); empty for {@code capture}
 * @param tls for routes with next hops: the STARTTLS policy towards the next hops
 * @param auth for routes with next hops: credentials for the next hop, if it wants AUTH
 * @param connectTimeout time to connect and get the next hop's greeting
 * @param commandTimeout time for each reply of the next hop to a command
 * @param dataTimeout time for the next hop's reply after the whole message was sent
 */
public record RouteConfig(List<String> domains, RouteMode mode, List<NextHop> nextHops, NextHopTls tls,
        Optional<NextHopAuth> auth, Duration connectTimeout, Duration commandTimeout, Duration dataTimeout) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(1);
    public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(5);

    /** A route without next hops (capture). */
    public RouteConfig(List<String> domains, RouteMode mode) {
        this(domains, mode, List.of(), NextHopTls.opportunistic(), Optional.empty(), DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_COMMAND_TIMEOUT, DEFAULT_DATA_TIMEOUT);
    }

    /** The domain pattern matching every domain. */
    public static final String ANY_DOMAIN = "*";

    private static final RouteConfig CAPTURE_ALL = new RouteConfig(List.of(ANY_DOMAIN), RouteMode.CAPTURE);

    public RouteConfig {
        domains = List.copyOf(domains);
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one domain");
        }
        for (String domain : domains) {
            if (!isValidPattern(domain)) {
                throw new IllegalArgumentException("not a domain pattern: '" + domain + "'");
            }
            if (!domain.equals(domain.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("domain patterns must be lowercase: '" + domain + "'");
            }
        }
        Objects.requireNonNull(mode, "mode");
        nextHops = List.copyOf(nextHops);
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(dataTimeout, "dataTimeout");
        if (mode.usesNextHops() && nextHops.isEmpty()) {
            throw new IllegalArgumentException("an " + mode.yamlName() + " route needs at least one next hop");
        }
        if (!mode.usesNextHops() && !nextHops.isEmpty()) {
            throw new IllegalArgumentException("only inline and queue routes have next hops");
        }
    }

    /** A name for logs and metrics: the route's first domain pattern. */
    public String name() {
        return domains.get(0);
    }

    /** The routes used when the configuration has none: capture everything. */
    public static List<RouteConfig> defaults() {
        return List.of(CAPTURE_ALL);
    }

    /**
     * Whether {@code pattern} is {@code *}, a host name, or {@code *.} followed by a host name;
     * case is not checked.
     */
    public static boolean isValidPattern(String pattern) {
        if (pattern == null) {
            return false;
        }
        if (pattern.equals(ANY_DOMAIN)) {
            return true;
        }
        String name = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
        return DomainNames.isValid(name);
    }

    /** Whether a recipient domain (any case) is one of this route's {@link #domains()}. */
    public boolean matches(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        for (String pattern : domains) {
            if (pattern.equals(ANY_DOMAIN)
                    || pattern.equals(d)
                    || (pattern.startsWith("*.") && d.endsWith(pattern.substring(1)))) {
                return true;
            }
        }
        return false;
    }
}
