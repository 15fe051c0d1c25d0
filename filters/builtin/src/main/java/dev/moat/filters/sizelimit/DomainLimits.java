package dev.moat.filters.sizelimit;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Size limits by name: exact names ({@code example.com}, or a listener name) and, for domains,
 * {@code *.example.com} (every subdomain of example.com at any depth, not example.com itself, as in
 * the {@code routes:} configuration). When several entries apply, the smallest wins. Names compare
 * case-insensitively; a trailing dot is ignored. Immutable.
 */
final class DomainLimits {

    static final DomainLimits NONE = new DomainLimits(Map.of(), List.of());

    private final Map<String, Long> exact;
    /** Pairs of ".example.com" suffix and limit. */
    private final List<Map.Entry<String, Long>> suffixes;

    DomainLimits(Map<String, Long> exact, List<Map.Entry<String, Long>> suffixes) {
        this.exact = Map.copyOf(exact);
        this.suffixes = List.copyOf(suffixes);
    }

    boolean isEmpty() {
        return exact.isEmpty() && suffixes.isEmpty();
    }

    /** The smallest limit that applies to {@code name}, or {@link SizeLimitFilter#NONE}. */
    long limitFor(String name) {
        if (isEmpty()) {
            return SizeLimitFilter.NONE;
        }
        String key = normalize(name);
        long limit = exact.getOrDefault(key, SizeLimitFilter.NONE);
        for (Map.Entry<String, Long> suffix : suffixes) {
            if (key.endsWith(suffix.getKey()) && suffix.getValue() < limit) {
                limit = suffix.getValue();
            }
        }
        return limit;
    }

    static String normalize(String name) {
        String lower = name.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
