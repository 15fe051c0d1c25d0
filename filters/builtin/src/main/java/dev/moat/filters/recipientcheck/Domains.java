package dev.moat.filters.recipientcheck;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The domains a recipient check is responsible for: exact names ({@code example.com}) and subdomain
 * wildcards ({@code *.example.com}: every name below example.com, not example.com itself); matched
 * case-insensitively. Immutable and thread-safe.
 */
final class Domains {

    private final Set<String> exact;
    private final Set<String> wildcardParents;

    private Domains(Set<String> exact, Set<String> wildcardParents) {
        this.exact = Set.copyOf(exact);
        this.wildcardParents = Set.copyOf(wildcardParents);
    }

    /** @throws IllegalArgumentException naming the first bad entry */
    static Domains parse(List<String> entries) {
        Set<String> exact = new HashSet<>();
        Set<String> wildcards = new HashSet<>();
        for (String raw : entries) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            boolean wildcard = entry.startsWith("*.");
            String name = wildcard ? entry.substring(2) : entry;
            if (!isDomain(name)) {
                throw new IllegalArgumentException("'" + raw + "' is not a domain such as example.com or a wildcard such as *.example.com");
            }
            (wildcard ? wildcards : exact).add(name);
        }
        return new Domains(exact, wildcards);
    }

    boolean isEmpty() {
        return exact.isEmpty() && wildcardParents.isEmpty();
    }

    boolean contains(String domain) {
        String name = domain.toLowerCase(Locale.ROOT);
        if (exact.contains(name)) {
            return true;
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            if (wildcardParents.contains(name.substring(dot + 1))) {
                return true;
            }
        }
        return false;
    }

    /** Host name syntax: dot-separated labels of letters, digits and '-' (no trailing dot). */
    static boolean isDomain(String name) {
        return name.length() <= 253 && name.matches("(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    }
}
