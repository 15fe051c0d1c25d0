package dev.moat.core.config;

import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One YAML map of the configuration, read key by key with its key path at hand.
 *
 * <p>All type checking, unit parsing and range checking of plain values happens here, so that
 * every error reads the same way ({@code <path>: <value> <what is wrong>}) whichever block it
 * comes from, and every string goes through {@code ${NAME}} substitution exactly once.
 *
 * <p>A key present with no value ({@code idle-timeout:}) is an error rather than the default: the
 * operator clearly meant to set something.
 */
final class Section {

    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");

    private final String path;
    private final Map<?, ?> entries;
    private final EnvSubstitution env;

    private Section(String path, Map<?, ?> entries, EnvSubstitution env) {
        this.path = path;
        this.entries = entries;
        this.env = env;
    }

    /** A block that may be absent or empty ({@code limits:}): null reads as an empty map. */
    static Section block(Object raw, String path, EnvSubstitution env) {
        return raw == null ? new Section(path, Map.of(), env) : entry(raw, path, env);
    }

    /** A list entry, which must be a map. */
    static Section entry(Object raw, String path, EnvSubstitution env) {
        if (raw instanceof Map<?, ?> map) {
            return new Section(path, map, env);
        }
        throw new ConfigException(path, "expected a map of keys, got " + describe(raw));
    }

    String path() {
        return path;
    }

    /** The path of one key of this map. */
    String pathOf(Object key) {
        return path.isEmpty() ? String.valueOf(key) : path + "." + key;
    }

    ConfigException error(Object key, String reason) {
        return new ConfigException(pathOf(key), reason);
    }

    Set<?> keys() {
        return entries.keySet();
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Object raw(String key) {
        return entries.get(key);
    }

    EnvSubstitution env() {
        return env;
    }

    /** Fails on the first key that is not one of {@code known}, listing them all. */
    void allowOnly(List<String> known) {
        for (Object key : entries.keySet()) {
            if (!(key instanceof String) || !known.contains(key)) {
                throw error(key, "unknown key (known keys: " + String.join(", ", known) + ")");
            }
        }
    }

    /** A nested block; absent or empty reads as an empty map. */
    Section block(String key) {
        return block(entries.get(key), pathOf(key), env);
    }

    /** A list, if the key is present with a value. */
    Optional<List<?>> list(String key) {
        Object value = entries.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof List<?> list) {
            return Optional.of(list);
        }
        throw error(key, "expected a list, got " + describe(value));
    }

    /** A string, substituted, if the key is present. */
    Optional<Text> text(String key) {
        if (!entries.containsKey(key)) {
            return Optional.empty();
        }
        return Optional.of(text(entries.get(key), pathOf(key), "a string"));
    }

    /** A string that must be present. */
    Text requiredText(String key) {
        return text(key).orElseThrow(() -> error(key, "required key is missing"));
    }

    /** Substitutes a string value found at {@code keyPath}, which must be a string. */
    Text text(Object value, String keyPath, String expected) {
        if (value == null) {
            throw new ConfigException(keyPath, "no value given");
        }
        if (value instanceof String s) {
            return env.apply(s, keyPath);
        }
        throw new ConfigException(keyPath, "expected " + expected + ", got " + describe(value));
    }

    /**
     * An integer within {@code [min, max]}. YAML integers are taken as they are; a string is taken
     * only if it became an integer through substitution ({@code ${WORKERS}}), because environment
     * variables have no other way to carry numbers, while a quoted {@code "100"} in the file is
     * most likely a mistake.
     */
    int integer(String key, int defaultValue, int min, int max) {
        if (!entries.containsKey(key)) {
            return defaultValue;
        }
        Object value = entries.get(key);
        long number;
        String shown;
        if (value instanceof Integer || value instanceof Long) {
            number = ((Number) value).longValue();
            shown = "'" + value + "'";
        } else if (value instanceof BigInteger big) {
            throw error(key, "'" + value + "' " + outOfRange(big.signum() < 0, min, max));
        } else if (value instanceof String s) {
            Text t = env.apply(s, pathOf(key));
            if (!t.fromEnv()) {
                throw error(key, "expected an integer, got " + describe(value));
            }
            if (!INTEGER.matcher(t.value()).matches()) {
                throw error(key, "expected an integer, got " + t.shown());
            }
            try {
                number = Long.parseLong(t.value());
            } catch (NumberFormatException e) {
                throw error(key, t.shown() + " " + outOfRange(t.value().startsWith("-"), min, max));
            }
            shown = t.shown();
        } else {
            throw error(key, value == null ? "no value given" : "expected an integer, got " + describe(value));
        }
        if (number < min || number > max) {
            throw error(key, shown + " " + outOfRange(number < min, min, max));
        }
        return (int) number;
    }

    private static String outOfRange(boolean tooSmall, long min, long max) {
        return tooSmall ? "is too small (at least " + min + ")" : "is too large (at most " + max + ")";
    }

    /** A size in bytes ({@link Units#parseSize}) within {@code [min, max]}; a YAML integer counts bytes. */
    long size(String key, long defaultValue, long min, long max) {
        if (!entries.containsKey(key)) {
            return defaultValue;
        }
        Object value = entries.get(key);
        Text text = value instanceof Integer || value instanceof Long || value instanceof BigInteger
                ? Text.literal(value.toString())
                : text(value, pathOf(key), "a size (e.g. 512KB, 25MB, 1GB)");
        long bytes;
        try {
            bytes = Units.parseSize(text.value());
        } catch (IllegalArgumentException e) {
            throw error(key, text.reword(e));
        }
        if (bytes < min) {
            throw error(key, text.shown() + " is too small (at least " + Units.formatSize(min) + ")");
        }
        if (bytes > max) {
            throw error(key, text.shown() + " is too large (at most " + Units.formatSize(max) + ")");
        }
        return bytes;
    }

    /** A duration ({@link Units#parseDuration}) within {@code [min, max]}. */
    Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        if (!entries.containsKey(key)) {
            return defaultValue;
        }
        Object value = entries.get(key);
        Text text = value instanceof Integer || value instanceof Long || value instanceof BigInteger
                ? Text.literal(value.toString())
                : text(value, pathOf(key), "a duration (e.g. 500ms, 30s, 5m, 2h, 7d)");
        Duration duration;
        try {
            duration = Units.parseDuration(text.value());
        } catch (IllegalArgumentException e) {
            throw error(key, text.reword(e));
        }
        if (duration.compareTo(min) < 0) {
            throw error(key, text.shown() + " is too short (at least " + Units.formatDuration(min) + ")");
        }
        if (duration.compareTo(max) > 0) {
            throw error(key, text.shown() + " is too long (at most " + Units.formatDuration(max) + ")");
        }
        return duration;
    }

    /** One of an enum's constants, spelled in lowercase in the file. */
    <E extends Enum<E>> E choice(String key, E defaultValue, E[] values) {
        if (!entries.containsKey(key)) {
            return defaultValue;
        }
        String spellings = spell(List.of(values));
        Object value = entries.get(key);
        if (value instanceof Boolean) {
            throw error(key, "expected one of " + spellings + ", got " + describe(value)
                    + " (YAML reads unquoted yes, no, on and off as booleans)");
        }
        Text text = text(value, pathOf(key), "one of " + spellings);
        for (E candidate : values) {
            if (candidate.name().toLowerCase(Locale.ROOT).equals(text.value())) {
                return candidate;
            }
        }
        throw error(key, text.shown() + " is not one of " + spellings);
    }

    /** A file system path; relative paths stay relative (to the working directory). */
    Optional<Path> path(String key) {
        return text(key).map(t -> toPath(key, t));
    }

    Path toPath(String key, Text text) {
        if (text.value().isEmpty()) {
            throw error(key, "the path is empty");
        }
        try {
            return Path.of(text.value());
        } catch (InvalidPathException e) {
            throw error(key, text.shown() + " is not a valid path" + (text.fromEnv() ? "" : ": " + e.getReason()));
        }
    }

    private static String spell(Collection<? extends Enum<?>> values) {
        StringBuilder out = new StringBuilder();
        for (Enum<?> value : values) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(value.name().toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    /** What a YAML value is, for "expected X, got Y" messages. */
    static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof String s) {
            return "the string '" + s + "'";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return "the integer " + value;
        }
        if (value instanceof Double) {
            return "the number " + value;
        }
        if (value instanceof Boolean) {
            return "the boolean " + value;
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof Set) {
            return "a set";
        }
        if (value instanceof byte[]) {
            return "binary data";
        }
        if (value instanceof java.util.Date) {
            return "a timestamp";
        }
        return "a value of type " + value.getClass().getSimpleName();
    }
}
