package dev.moat.filter;

import java.util.Objects;

/**
 * One header field (RFC 5322 §2.2). {@code value} is the field body with folding removed (CRLF
 * followed by white space becomes that white space), not decoded: encoded words stay encoded, and
 * each octet of the field is one {@code char} (ISO-8859-1), so 8-bit bytes survive a read and a
 * write unchanged. To add non-ASCII text, use RFC 2047 encoded words.
 * A header built by a filter must have a valid name and a value without CR or LF; the core folds long
 * values when it writes them.
 */
public record Header(String name, String value) {
    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || name.length() > 100) {
            throw new IllegalArgumentException("header name must be 1 to 100 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                throw new IllegalArgumentException("invalid character in header name: " + name);
            }
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("header value must not contain CR, LF or NUL: " + name);
        }
    }

    /** True if this header has the given name, compared case-insensitively as RFC 5322 requires. */
    public boolean hasName(String other) {
        return name.equalsIgnoreCase(other);
    }
}
