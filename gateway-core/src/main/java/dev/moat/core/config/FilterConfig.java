package dev.moat.core.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One filter instance of the chain (an entry of the YAML list {@code filters}).
 *
 * <p>The configuration layer knows only what every filter has (a type, a name, a time budget);
 * what a filter of a given type accepts is known only by that type, which may come from a plugin
 * jar. So the remaining keys are carried verbatim in {@link #settings()} and checked later by the
 * chain builder, which reports errors at {@link #keyPath(int, String)}.
 *
 * @param name unique name of this instance ({@code [a-z0-9-]+}); defaults to the type, and must be
 *     given when two filters share a type; it tags logs and metrics
 * @param type the filter type (kebab-case), as registered by a built-in module or a plugin
 * @param timeout how long one call of this filter may take before it counts as failed
 * @param settings the type-specific keys, as the YAML parser produced them (String, Integer, Long,
 *     BigInteger, Double, Boolean, null, and unmodifiable List and Map of those), in file order,
 *     after {@code ${NAME}} substitution
 */
public record FilterConfig(String name, String type, Duration timeout, Map<String, Object> settings) {

    /** What a filter type may look like: kebab-case. */
    public static final Pattern TYPE = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");

    /** What a filter name may look like. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

    /** The keys of a filter entry that are not settings. */
    public static final Set<String> RESERVED_KEYS = Set.of("name", "type", "timeout");

    /** Default of {@code timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Longest allowed {@code timeout}. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    public FilterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("filter type must be kebab-case, got '" + type + "'");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("filter name must match [a-z0-9-]+, got '" + name + "'");
        }
        Checks.inRange("timeout", timeout, Duration.ofMillis(1), MAX_TIMEOUT);
        Objects.requireNonNull(settings, "settings");
        for (String key : settings.keySet()) {
            if (RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("'" + key + "' is not a setting but a field of the filter");
            }
        }
        settings = freezeMap(settings);
    }

    /**
     * The key path of filter number {@code index} (from 0), e.g. {@code filters[2]}, for error
     * messages about the entry as a whole.
     */
    public static String keyPath(int index) {
        return "filters[" + index + "]";
    }

    /**
     * The key path of one setting of filter number {@code index}, e.g. {@code filters[2].max}: the
     * {@link ConfigException#keyPath()} a chain builder uses when a setting is invalid.
     */
    public static String keyPath(int index, String setting) {
        return keyPath(index) + "." + setting;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> freezeMap(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("setting keys must be strings, got " + e.getKey());
            }
            copy.put(key, freeze(e.getValue()));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object freeze(Object value) {
        if (value == null
                || value instanceof String
                || value instanceof Integer
                || value instanceof Long
                || value instanceof BigInteger
                || value instanceof Double
                || value instanceof Boolean) {
            return value;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(freeze(item));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Map<?, ?> map) {
            return freezeMap(map);
        }
        throw new IllegalArgumentException("unsupported setting value of type " + value.getClass().getName());
    }
}
