package dev.moat.core.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loads Moat's YAML configuration: read, parse safely, substitute {@code ${NAME}} variables,
 * check every key, and build an immutable {@link MoatConfig}.
 *
 * <p>Loading is all-or-nothing: any problem is a {@link ConfigException} naming the key path and
 * the value, and no partial configuration is ever returned. This is what lets a reload keep the
 * running configuration when the new file is wrong. The reference of every key is {@code
 * docs/configuration.md}.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /**
     * Loads a configuration file (UTF-8), taking variables from the process environment.
     *
     * @throws ConfigException if the file cannot be read or the configuration is invalid
     */
    public static MoatConfig load(Path file) {
        return load(file, System.getenv());
    }

    /**
     * Loads a configuration file (UTF-8), taking variables from {@code env}.
     *
     * @throws ConfigException if the file cannot be read or the configuration is invalid
     */
    public static MoatConfig load(Path file, Map<String, String> env) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(env, "env");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "configuration file " + file + " does not exist", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException("", "configuration file " + file + " is not valid UTF-8", e);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read configuration file " + file + ": " + e, e);
        }
        return parse(text, env);
    }

    /**
     * Parses a configuration from text.
     *
     * @param yaml the YAML document; empty (or only comments) means all defaults
     * @param env the variables for {@code ${NAME}} substitution
     * @throws ConfigException if the configuration is invalid
     */
    public static MoatConfig parse(String yaml, Map<String, String> env) {
        Objects.requireNonNull(yaml, "yaml");
        Object root = YamlParser.parse(yaml);
        return new ConfigReader(new EnvSubstitution(env)).read(root);
    }

    /**
     * The configuration used when no file is given: equal to {@code parse("", Map.of())}. One
     * listener {@code default} on 127.0.0.1:2525 without TLS, the default limits, no filters,
     * every domain captured.
     */
    public static MoatConfig defaults() {
        return new MoatConfig(
                ServerConfig.defaults(),
                List.of(ListenerConfig.defaultListener()),
                LimitsConfig.defaults(),
                List.of(),
                RouteConfig.defaults(),
                CaptureConfig.defaults());
    }
}
