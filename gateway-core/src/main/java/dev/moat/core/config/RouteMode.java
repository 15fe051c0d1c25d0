package dev.moat.core.config;

import java.util.Locale;

/**
 * What happens to mail for a route's domains (YAML {@code routes[i].mode}).
 *
 * <p>Only {@code capture} exists in this version. The relaying modes of the design ({@code
 * inline}, {@code queue}) are recognised by the loader and refused with a clear message, so a
 * configuration written for a later version fails at start instead of capturing mail its author
 * expected to be delivered.
 */
public enum RouteMode {
    /** Keep the message in the local capture store ({@code <data-directory>/capture}). YAML {@code capture}. */
    CAPTURE;

    /** The spelling in the YAML file. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
