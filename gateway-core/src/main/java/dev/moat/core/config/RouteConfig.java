package dev.moat.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where mail for some recipient domains goes (an entry of the YAML list {@code routes}).
 *
 * @param domains the recipient domains this route takes, lowercased, each one of: {@code *} (any
 *     domain), an exact domain ({@code example.com}) or a wildcard ({@code *.example.com}, which
 *     matches the subdomains of example.com at any depth but not example.com itself)
 * @param mode what happens to the mail
 */
public record RouteConfig(List<String> domains, RouteMode mode) {

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
