package dev.moat.core.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where third-party filter plugins come from (YAML block {@code plugins}).
 *
 * @param directory the directory holding one sub-directory per plugin; empty when there is none.
 *     Without {@code plugins.directory} in the file it is {@code $MOAT_HOME/plugins} when Moat runs
 *     from its distribution (the launcher sets {@value #HOME_PROPERTY}), and none otherwise
 * @param explicit whether the directory was written in the file: an explicit directory must exist,
 *     the default one may be missing (then no plugin is loaded)
 * @param onError what a plugin that cannot be loaded does: fail the start (default), or be skipped
 *     and reported in the log and {@code /api/v1/filters}
 */
public record PluginsConfig(Optional<Path> directory, boolean explicit, OnError onError) {

    /** The system property {@code bin/moat} sets to the distribution's root directory. */
    public static final String HOME_PROPERTY = "moat.home";

    /** What to do with a plugin that cannot be loaded (YAML {@code plugins.on-error}). */
    public enum OnError {
        /** Refuse to start, naming the plugin and the reason. YAML {@code fail}. */
        FAIL,
        /** Start without it; log an error and list it as skipped in {@code /api/v1/filters}. YAML {@code skip}. */
        SKIP
    }

    public PluginsConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(onError, "onError");
        if (explicit && directory.isEmpty()) {
            throw new IllegalArgumentException("an explicit plugin directory must be given");
        }
    }

    /** The block used when the file has none: the default directory, fail on error. */
    public static PluginsConfig defaults() {
        return new PluginsConfig(defaultDirectory(), false, OnError.FAIL);
    }

    /** No plugin directory at all (tests, tools). */
    public static PluginsConfig none() {
        return new PluginsConfig(Optional.empty(), false, OnError.FAIL);
    }

    /** {@code $MOAT_HOME/plugins} when the launcher set {@value #HOME_PROPERTY}. */
    public static Optional<Path> defaultDirectory() {
        String home = System.getProperty(HOME_PROPERTY);
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, "plugins"));
    }
}
