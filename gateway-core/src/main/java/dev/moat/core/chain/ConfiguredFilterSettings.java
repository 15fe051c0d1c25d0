package dev.moat.core.chain;

import dev.moat.core.config.Units;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link FilterSettings} over one {@code filters:} entry of the configuration (also used by the test kit). Immutable. */
public final class ConfiguredFilterSettings implements FilterSettings {

    private final String filterName;
    private final Map<String, Object> values;

    public ConfiguredFilterSettings(String filterName, Map<String, Object> values) {
        this.filterName = filterName;
        // A key written without a value (YAML "max:") counts as absent, so the filter's default applies.
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        this.values = java.util.Collections.unmodifiableMap(copy);
    }

    @Override
    public String filterName() {
        return filterName;
    }

    @Override
    public boolean has(String key) {
        return values.containsKey(key);
    }

    @Override
    public Optional<String> string(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            throw new InvalidSettingException(key, "expected a single value, got a " + (value instanceof Map ? "map" : "list"));
        }
        return Optional.of(value.toString());
    }

    @Override
    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    @Override
    public String requiredString(String key) {
        return string(key).orElseThrow(() -> new InvalidSettingException(key, "is required"));
    }

    @Override
    public int integer(String key, int defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get().trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "'" + value.get() + "' is not a whole number");
        }
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new InvalidSettingException(key, "'" + value.get() + "' is not true or false");
        };
    }

    @Override
    public long size(String key, long defaultValue) {
        Optional<String> value = string(key);
        try {
            return value.map(Units::parseSize).orElse(defaultValue);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, e.getMessage());
        }
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> value = string(key);
        try {
            return value.map(Units::parseDuration).orElse(defaultValue);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, e.getMessage());
        }
    }

    private static final java.util.regex.Pattern REPLY =
            java.util.regex.Pattern.compile("([2-5][0-9][0-9]) ([245]\\.[0-9]{1,3}\\.[0-9]{1,3})(?: (.*))?");

    @Override
    public Reply reply(String key, String defaultValue) {
        String value = string(key, defaultValue).strip();
        java.util.regex.Matcher m = REPLY.matcher(value);
        if (!m.matches()) {
            throw new InvalidSettingException(key, "'" + value + "' is not a reply (write e.g. '" + defaultValue + "')");
        }
        int code = Integer.parseInt(m.group(1));
        if (code < 400) {
            throw new InvalidSettingException(key, "the code must be 4xx or 5xx, got " + code);
        }
        try {
            return new Reply(code, m.group(2), m.group(3) == null ? "" : m.group(3));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, e.getMessage());
        }
    }

    @Override
    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (item == null || item instanceof Map || item instanceof List) {
                    throw new InvalidSettingException(key, "expected a list of single values");
                }
                out.add(item.toString());
            }
            return List.copyOf(out);
        }
        return List.of(string(key).orElseThrow());
    }
}
