package dev.moat.filters.relayrules;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The domains Moat receives mail for: exact names ({@code example.com}), subdomain wildcards
 * ({@code *.example.com}: every name below example.com, not example.com itself) and address literals
 * ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}). Matching is case-insensitive and strict: anything
 * that is not a plain host name in LDH syntax, or a listed literal, is not accepted (trailing dot,
 * unlisted IP address, numeric top-level label, stray brackets). Immutable and thread-safe.
 */
final class AcceptedDomains {

    private final Set<String> exact;
    private final Set<String> wildcardParents;
    private final Set<InetAddress> literals;

    private AcceptedDomains(Set<String> exact, Set<String> wildcardParents, Set<InetAddress> literals) {
        this.exact = Set.copyOf(exact);
        this.wildcardParents = Set.copyOf(wildcardParents);
        this.literals = Set.copyOf(literals);
    }

    /**
     * Parses the {@code accepted-domains} entries.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    static AcceptedDomains parse(List<String> entries) {
        Set<String> exact = new HashSet<>();
        Set<String> wildcards = new HashSet<>();
        Set<InetAddress> literals = new HashSet<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.startsWith("[")) {
                InetAddress ip = literal(entry);
                if (ip == null) {
                    throw new IllegalArgumentException("'" + raw + "' is not an address literal such as [192.0.2.1] or [IPv6:2001:db8::1]");
                }
                literals.add(ip);
            } else if (entry.startsWith("*.")) {
                String parent = hostName(entry.substring(2));
                if (parent == null) {
                    throw new IllegalArgumentException("'" + raw + "' is not a wildcard such as *.example.com");
                }
                wildcards.add(parent);
            } else {
                if (entry.equals("*")) {
                    throw new IllegalArgumentException("'*' would accept mail for every domain (an open relay); list your domains");
                }
                String name = hostName(entry);
                if (name == null) {
                    throw new IllegalArgumentException("'" + raw + "' is not a domain name (letters, digits and '-' in dot-separated labels,"
                            + " no trailing dot), a wildcard *.example.com or an address literal [192.0.2.1]");
                }
                exact.add(name);
            }
        }
        return new AcceptedDomains(exact, wildcards, literals);
    }

    /** True if {@code domain}, as the SMTP front end passed it, is one of ours. */
    boolean accepts(String domain) {
        if (domain.startsWith("[")) {
            InetAddress ip = literal(domain);
            return ip != null && literals.contains(ip);
        }
        InetAddress bareIp = bareIpv4(domain);
        if (bareIp != null) {
            // James drops the brackets of an address literal: user@[192.0.2.1] arrives as user@192.0.2.1.
            return literals.contains(bareIp);
        }
        String name = hostName(domain);
        if (name == null) {
            return false;
        }
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

    boolean isEmpty() {
        return exact.isEmpty() && wildcardParents.isEmpty() && literals.isEmpty();
    }

    /**
     * The lower-case ASCII form of a host name in strict LDH syntax (RFC 1035 §2.3.1, RFC 5321
     * §4.1.2), or null. Internationalized names are converted to their A-label form. A trailing dot,
     * an empty label, a label longer than 63 octets, a leading or trailing hyphen, and a numeric
     * last label (an IP address is not a host name) are refused.
     */
    static String hostName(String text) {
        if (text.isEmpty() || text.length() > 253 || text.endsWith(".")) {
            return null;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(text, 0).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (ascii.isEmpty() || ascii.length() > 253) {
            return null;
        }
        String[] labels = ascii.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return null;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return null;
                }
            }
        }
        String last = labels[labels.length - 1];
        if (last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return ascii;
    }

    /** The address of {@code [a.b.c.d]} or {@code [IPv6:...]}, or null if it is not one. */
    static InetAddress literal(String text) {
        if (text.length() < 3 || text.charAt(0) != '[' || text.charAt(text.length() - 1) != ']') {
            return null;
        }
        String inner = text.substring(1, text.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = inner.substring(5);
            if (v6.isEmpty() || !v6.contains(":") || !v6.matches("[0-9A-Fa-f:.]+")) {
                return null;
            }
            try {
                return InetAddress.getByName(v6); // a literal with ':' is parsed, never looked up
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return bareIpv4(inner);
    }

    /** The address of a dotted quad {@code a.b.c.d} (each 0 to 255), or null. Never uses DNS. */
    static InetAddress bareIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int value = Integer.parseInt(p);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 bytes
        }
    }
}
