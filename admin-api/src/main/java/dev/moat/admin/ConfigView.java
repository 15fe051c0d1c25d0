package dev.moat.admin;

import dev.moat.core.config.FilterConfig;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.NextHop;
import dev.moat.core.config.NextHopAuth;
import dev.moat.core.config.Units;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The configuration as JSON-ready maps, with the keys spelt as in the YAML file (kebab-case) and
 * every secret replaced by {@value #MASK}.
 *
 * <p>Records become maps by their components, so a key added to a config record shows up here
 * without a change. Values: durations in the YAML notation ({@code 30s}), addresses as
 * {@code host:port}, paths as written, enums by their YAML spelling, absent optionals as
 * {@code null}, sizes as numbers of bytes. A filter entry is flat, as in YAML: {@code name},
 * {@code type}, {@code timeout} and its settings side by side.
 *
 * <p>Secrets: the admin token, the route credentials' password, every filter setting (at any
 * depth) whose key contains {@code password}, {@code secret}, {@code token} or {@code key}, and the
 * settings a filter type declares secret ({@code FilterFactory.secretKeys()}).
 */
final class ConfigView {

    static final String MASK = "****";

    /** Setting keys whose values are never shown. */
    private static final Pattern SECRET_KEY = Pattern.compile("password|secret|token|key", Pattern.CASE_INSENSITIVE);

    private ConfigView() {
    }

    /** The whole effective configuration, without knowing which settings the filter types declare secret. */
    static Map<String, Object> of(MoatConfig config) {
        return of(config, type -> Set.of());
    }

    /**
     * The whole effective configuration; {@code secretKeys} gives the setting keys each filter type
     * declares secret ({@code FilterFactory.secretKeys()}), masked on top of the name pattern.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> of(MoatConfig config, Function<String, Set<String>> secretKeys) {
        Map<String, Object> root = (Map<String, Object>) value(config);
        List<Object> filters = (List<Object>) root.get("filters");
        for (int i = 0; i < config.filters().size(); i++) {
            Map<String, Object> entry = (Map<String, Object>) filters.get(i);
            for (String key : secretKeys.apply(config.filters().get(i).type())) {
                if (entry.get(key) != null && config.filters().get(i).settings().containsKey(key)) {
                    entry.put(key, MASK);
                }
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> admin = (Map<String, Object>) root.get("admin");
        if (admin != null && admin.get("token") != null) {
            admin.put("token", MASK);
        }
        return root;
    }

    /** Whether a filter setting with this key is a secret. */
    static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).find();
    }

    /** A filter's settings with the secrets masked, at any depth. */
    static Map<String, Object> maskedSettings(Map<String, Object> settings) {
        return maskedSettings(settings, Set.of());
    }

    /** A filter's settings with the secrets masked: by name at any depth, and the type's declared secret keys. */
    static Map<String, Object> maskedSettings(Map<String, Object> settings, Set<String> declaredSecrets) {
        Map<String, Object> out = new LinkedHashMap<>();
        settings.forEach((key, value) -> out.put(key,
                value != null && (isSecretKey(key) || declaredSecrets.contains(key)) ? MASK : masked(value)));
        return out;
    }

    private static Object masked(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                String key = String.valueOf(k);
                out.put(key, v != null && isSecretKey(key) ? MASK : masked(v));
            });
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(masked(item)));
            return out;
        }
        return plain(value);
    }

    /** Converts one value of the configuration tree. */
    static Object value(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Optional<?> optional) {
            return optional.map(ConfigView::value).orElse(null);
        }
        if (value instanceof FilterConfig filter) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", filter.name());
            out.put("type", filter.type());
            out.put("timeout", Units.formatDuration(filter.timeout()));
            out.putAll(maskedSettings(filter.settings()));
            return out;
        }
        if (value instanceof NextHop hop) {
            return hop.toString();
        }
        if (value instanceof NextHopAuth auth) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("username", auth.username());
            out.put("password", MASK);
            return out;
        }
        if (value instanceof Record record) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                out.put(kebab(component.getName()), value(read(component, record)));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), value(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(value(item)));
            return out;
        }
        return plain(value);
    }

    private static Object plain(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double || value instanceof BigInteger) {
            return value;
        }
        if (value instanceof Duration duration) {
            return Units.formatDuration(duration);
        }
        if (value instanceof InetSocketAddress address) {
            return address(address);
        }
        if (value instanceof Path path) {
            return path.toString();
        }
        if (value instanceof Instant instant) {
            return instant.toString();
        }
        if (value instanceof Enum<?> e) {
            try {
                Method yamlName = e.getClass().getMethod("yamlName");
                return String.valueOf(yamlName.invoke(e));
            } catch (ReflectiveOperationException notThere) {
                return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
            }
        }
        return value.toString();
    }

    /** {@code host:port}, IPv6 in brackets; the literal address when it was resolved. */
    static String address(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static Object read(RecordComponent component, Record record) {
        try {
            Method accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName(), e);
        }
    }

    /** {@code maxMessageSize} → {@code max-message-size}. */
    static String kebab(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
