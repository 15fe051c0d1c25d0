package dev.moat.filters.sizelimit;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Reply;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code size-limit} filter type. See {@code docs/filters/size-limit.md}.
 *
 * <pre>
 * - type: size-limit
 *   max: 25MB
 *   per-listener: ["mx=10MB"]
 *   per-sender-domain: ["partner.example=50MB"]
 *   per-recipient-domain: ["*.small.example=5MB"]
 *   max-header-size: 256KB
 *   max-header-fields: 500
 * </pre>
 */
public final class SizeLimitFactory implements FilterFactory {

    static final String DEFAULT_SIZE_REPLY = "552 5.3.4 Message size exceeds fixed maximum message size";
    static final String DEFAULT_HEADER_SIZE_REPLY = "552 5.3.4 Message header size exceeds fixed maximum size";
    static final String DEFAULT_HEADER_FIELDS_REPLY = "554 5.6.0 Too many header fields";

    private static final Pattern ENTRY = Pattern.compile("\\s*([^\\s=:]+)\\s*(?:[=:]|\\s)\\s*(\\S+)\\s*");
    private static final Pattern SIZE = Pattern.compile("([0-9]+)([KMG]?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DOMAIN = Pattern.compile("(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\\.?");
    private static final Pattern LISTENER = Pattern.compile("[A-Za-z0-9._-]+");

    @Override
    public String type() {
        return "size-limit";
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of("max", "per-listener", "per-sender-domain", "per-recipient-domain", "max-header-size",
                "max-header-fields", "size-reply", "header-size-reply", "header-fields-reply");
    }

    @Override
    public Filter create(FilterSettings settings) {
        long max = positive(settings, "max", settings.size("max", SizeLimitFilter.NONE));
        DomainLimits listeners = limits(settings, "per-listener", false);
        DomainLimits senders = limits(settings, "per-sender-domain", true);
        DomainLimits recipients = limits(settings, "per-recipient-domain", true);
        long headerSize = positive(settings, "max-header-size", settings.size("max-header-size", SizeLimitFilter.NONE));
        long headerFields = settings.has("max-header-fields") ? settings.integer("max-header-fields", 0) : SizeLimitFilter.NONE;
        if (headerFields < 1) {
            throw new InvalidSettingException("max-header-fields", "must be at least 1, got " + headerFields);
        }
        return new SizeLimitFilter(max, listeners, senders, recipients, headerSize, headerFields,
                reply(settings, "size-reply", DEFAULT_SIZE_REPLY),
                reply(settings, "header-size-reply", DEFAULT_HEADER_SIZE_REPLY),
                reply(settings, "header-fields-reply", DEFAULT_HEADER_FIELDS_REPLY));
    }

    private static long positive(FilterSettings settings, String key, long value) {
        if (value < 1) {
            throw new InvalidSettingException(key, "must be at least 1 byte, got " + settings.string(key, ""));
        }
        return value;
    }

    /** Entries {@code name=size} (also {@code name: size} in quotes, or {@code name size}). */
    private static DomainLimits limits(FilterSettings settings, String key, boolean domains) {
        List<String> entries;
        try {
            entries = settings.strings(key);
        } catch (InvalidSettingException e) {
            throw new InvalidSettingException(key, "write each entry as a string 'name=size', e.g. "
                    + (domains ? "[\"example.com=10MB\", \"*.example.org=5MB\"]" : "[\"mx=10MB\"]")
                    + "; a YAML map is not readable by filters yet (" + e.getMessage() + ")");
        }
        Map<String, Long> exact = new HashMap<>();
        List<Map.Entry<String, Long>> suffixes = new ArrayList<>();
        for (String entry : entries) {
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw new InvalidSettingException(key, "'" + entry + "' is not 'name=size' (e.g. "
                        + (domains ? "'example.com=10MB'" : "'mx=10MB'") + ")");
            }
            String name = domains ? DomainLimits.normalize(m.group(1)) : m.group(1);
            if (domains ? !DOMAIN.matcher(name).matches() : !LISTENER.matcher(name).matches()) {
                throw new InvalidSettingException(key, "'" + m.group(1) + "' is not "
                        + (domains ? "a domain or *.domain (use 'max' for every domain)" : "a listener name"));
            }
            long size = size(key, m.group(2));
            String lookup = domains ? name : name.toLowerCase(Locale.ROOT);
            if (name.startsWith("*.")) {
                String suffix = name.substring(1);
                if (suffixes.stream().anyMatch(e -> e.getKey().equals(suffix))) {
                    throw new InvalidSettingException(key, "'" + name + "' is given twice");
                }
                suffixes.add(new AbstractMap.SimpleImmutableEntry<>(suffix, size));
            } else if (exact.putIfAbsent(lookup, size) != null) {
                throw new InvalidSettingException(key, "'" + name + "' is given twice");
            }
        }
        return exact.isEmpty() && suffixes.isEmpty() ? DomainLimits.NONE : new DomainLimits(exact, suffixes);
    }

    /** A size in the configuration's notation: a number of bytes, or with B, KB, MB, GB (powers of 1024). */
    static long size(String key, String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new InvalidSettingException(key, "'" + text + "' is not a size (use e.g. 512KB, 25MB, 1GB)");
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "KB" -> 1024L;
            case "MB" -> 1024L * 1024;
            case "GB" -> 1024L * 1024 * 1024;
            default -> 1;
        };
        try {
            long size = Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
            if (size < 1) {
                throw new InvalidSettingException(key, "'" + text + "' must be at least 1 byte");
            }
            return size;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidSettingException(key, "'" + text + "' is too large to be a size");
        }
    }

    /** Parses a reply setting {@code "552 5.3.4 text"} (4xx or 5xx: a 4xx makes it a temporary refusal). */
    static Reply reply(FilterSettings settings, String key, String defaultValue) {
        return settings.reply(key, defaultValue);
    }
}
