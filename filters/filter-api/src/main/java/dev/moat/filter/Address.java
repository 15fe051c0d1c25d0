package dev.moat.filter;

import java.util.Locale;
import java.util.Objects;

/**
 * A mailbox address from the SMTP envelope: a local part and a domain (RFC 5321 §4.1.2). The local
 * part is kept exactly as the client sent it (it may be case-sensitive at the destination); the domain
 * compares case-insensitively. An address literal keeps its brackets ({@code [192.0.2.1]}). Immutable.
 */
public final class Address {

    private final String localPart;
    private final String domain;

    private Address(String localPart, String domain) {
        this.localPart = localPart;
        this.domain = domain;
    }

    /** Builds an address from its parts; neither may be empty or contain whitespace, angle brackets or CR/LF. */
    public static Address of(String localPart, String domain) {
        Objects.requireNonNull(localPart, "localPart");
        Objects.requireNonNull(domain, "domain");
        if (localPart.isEmpty() || localPart.length() > 256) {
            throw new IllegalArgumentException("local part must be 1 to 256 characters");
        }
        if (domain.isEmpty() || domain.length() > 255) {
            throw new IllegalArgumentException("domain must be 1 to 255 characters");
        }
        if (domain.indexOf('@') >= 0) {
            throw new IllegalArgumentException("domain must not contain '@': " + domain);
        }
        for (String part : new String[] {localPart, domain}) {
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                boolean quotedSpace = c == ' ' && part == localPart && localPart.length() > 1
                        && localPart.startsWith("\"") && localPart.endsWith("\"");
                if ((c <= ' ' && !quotedSpace) || c == '<' || c == '>' || c == 0x7F) {
                    throw new IllegalArgumentException("invalid character in address: " + localPart + "@" + domain);
                }
            }
        }
        return new Address(localPart, domain);
    }

    /** Parses {@code local@domain}, splitting at the last {@code @}. */
    public static Address parse(String address) {
        Objects.requireNonNull(address, "address");
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new IllegalArgumentException("not an address: " + address);
        }
        return of(address.substring(0, at), address.substring(at + 1));
    }

    public String localPart() {
        return localPart;
    }

    public String domain() {
        return domain;
    }

    /** The domain in lower case, for lookups and comparisons. */
    public String normalizedDomain() {
        return domain.toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && a.localPart.equals(localPart) && a.domain.equalsIgnoreCase(domain);
    }

    @Override
    public int hashCode() {
        return Objects.hash(localPart, normalizedDomain());
    }

    /** {@code local@domain}, without angle brackets. */
    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
