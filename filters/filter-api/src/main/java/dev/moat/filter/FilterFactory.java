package dev.moat.filter;

import java.util.Set;

/**
 * Makes filter instances of one type. Moat finds factories through a {@link FilterPlugin} and by
 * their {@link #type()} name, the name an operator writes as {@code type:} in the configuration. One
 * factory may create several instances, each with its own settings. Called at start-up only, on one
 * thread.
 */
public interface FilterFactory {

    /** The type name, kebab-case, e.g. {@code size-limit}; also the doc page {@code docs/filters/<type>.md}. */
    String type();

    /** Every setting key this type accepts; any other key in the configuration fails start-up. */
    Set<String> settingKeys();

    /**
     * The setting keys whose values are secrets (passwords, API tokens): Moat never shows their values
     * (the admin API answers {@code ****}, logs leave them out). A subset of {@link #settingKeys()}.
     * Keys containing {@code password}, {@code secret}, {@code token} or {@code key} are masked anyway.
     */
    default Set<String> secretKeys() {
        return Set.of();
    }

    /**
     * Builds one instance from its settings. Called once per configured instance, at start-up, on one
     * thread. Throw {@link InvalidSettingException} for a bad setting. Implement this one, or
     * {@link #create(FilterSetup)} when the filter wants metrics, a logger or the clock.
     */
    default Filter create(FilterSettings settings) throws Exception {
        throw new UnsupportedOperationException(type() + ": the factory implements neither create method");
    }

    /**
     * Builds one instance with everything Moat offers it. Moat calls this method; by default it
     * passes the settings to {@link #create(FilterSettings)}.
     */
    default Filter create(FilterSetup setup) throws Exception {
        return create(setup.settings());
    }
}
