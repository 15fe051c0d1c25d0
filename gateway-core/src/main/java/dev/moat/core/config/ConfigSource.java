package dev.moat.core.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the running configuration came from, so that a reload can read it again: a file (with the
 * variables for {@code ${NAME}}), or nothing (the built-in default, or text given by a test), in
 * which case there is nothing to reload.
 *
 * @param file the configuration file, if any
 * @param env  the variables for {@code ${NAME}} substitution (the process environment in production)
 */
public record ConfigSource(Optional<Path> file, Map<String, String> env) {

    public ConfigSource {
        Objects.requireNonNull(file, "file");
        env = Map.copyOf(env);
    }

    /** No file: {@link #load()} refuses. */
    public static ConfigSource none() {
        return new ConfigSource(Optional.empty(), Map.of());
    }

    /** A file read with the process environment. */
    public static ConfigSource file(Path file) {
        return new ConfigSource(Optional.of(file), System.getenv());
    }

    /**
     * Reads and validates the file again.
     *
     * @throws ConfigException naming the key and the reason, or with an empty key when there is no
     *     file or it cannot be read
     */
    public MoatConfig load() {
        Path path = file.orElseThrow(() -> new ConfigException("",
                "the gateway was started without a configuration file (moat --config FILE); there is nothing to reload"));
        return ConfigLoader.load(path, env);
    }
}
