package dev.moat.filters.recipientcheck;

import dev.moat.filter.Address;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A set of known recipients: whole addresses ({@code alice@example.com}) and whole domains
 * ({@code @example.com}, every local part). Lookups ignore case (local part and domain) and needless
 * quotes ({@code "alice"@example.com} is {@code alice@example.com}). Immutable and thread-safe.
 */
final class RecipientTable {

    static final RecipientTable EMPTY = new RecipientTable(Set.of(), Set.of());

    private final Set<String> addresses;
    private final Set<String> domains;

    private RecipientTable(Set<String> addresses, Set<String> domains) {
        this.addresses = Set.copyOf(addresses);
        this.domains = Set.copyOf(domains);
    }

    int size() {
        return addresses.size() + domains.size();
    }

    boolean knows(Address recipient) {
        String domain = recipient.domain().toLowerCase(Locale.ROOT);
        return domains.contains(domain) || addresses.contains(key(recipient.localPart(), domain));
    }

    /** Collects entries; not thread-safe. */
    static final class Builder {
        private final Set<String> addresses = new HashSet<>();
        private final Set<String> domains = new HashSet<>();

        /**
         * Adds {@code local@domain} or {@code @domain}; returns its domain in lower case.
         *
         * @throws IllegalArgumentException if the entry is neither
         */
        String add(String entry) {
            String text = entry.trim();
            if (text.startsWith("@")) {
                String domain = text.substring(1).toLowerCase(Locale.ROOT);
                if (!Domains.isDomain(domain)) {
                    throw new IllegalArgumentException("'" + entry + "' is not an address or @domain");
                }
                domains.add(domain);
                return domain;
            }
            Address address;
            try {
                address = Address.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + entry + "' is not an address or @domain");
            }
            String domain = address.domain().toLowerCase(Locale.ROOT);
            if (!Domains.isDomain(domain)) {
                throw new IllegalArgumentException("'" + entry + "' is not an address or @domain");
            }
            addresses.add(key(address.localPart(), domain));
            return domain;
        }

        RecipientTable build() {
            return new RecipientTable(addresses, domains);
        }
    }

    /** The lookup key: local part without needless quotes, both parts in lower case. */
    static String key(String localPart, String lowerDomain) {
        return unquote(localPart).toLowerCase(Locale.ROOT) + "@" + lowerDomain;
    }

    /**
     * {@code "alice"} becomes {@code alice} when the quoted content is a plain dot-atom; any other
     * local part is returned as is (a quoted string that needs its quotes stays a different key).
     */
    static String unquote(String localPart) {
        if (localPart.length() < 2 || localPart.charAt(0) != '"' || localPart.charAt(localPart.length() - 1) != '"') {
            return localPart;
        }
        StringBuilder out = new StringBuilder(localPart.length());
        for (int i = 1; i < localPart.length() - 1; i++) {
            char c = localPart.charAt(i);
            if (c == '\\' && i + 1 < localPart.length() - 1) {
                c = localPart.charAt(++i);
            }
            out.append(c);
        }
        String content = out.toString();
        return content.matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*") ? content : localPart;
    }
}
