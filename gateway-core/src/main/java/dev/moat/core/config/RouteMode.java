package dev.moat.core.config;

import java.util.Locale;

/**
 * What happens to mail for a route's domains (YAML {@code routes[i].mode}).
 *
 * <p>The durable {@code queue} mode of the design is recognised by the loader and refused with a
 * clear message, so a configuration written for a later version fails at start instead of handling
 * mail differently from what its author expected.
 */
public enum RouteMode {
    /** Keep the message in the local capture store ({@code <data-directory>/capture}). YAML {@code capture}. */
    CAPTURE,
    /**
     * Forward while the client waits: the next hop's reply to each RCPT and to the message is the
     * client's reply. YAML {@code inline}.
     */
    INLINE;

    /** The spelling in the YAML file. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
