package dev.moat.filter;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An SMTP reply: a three-digit code (RFC 5321 §4.2), an enhanced status code (RFC 3463) whose class
 * digit matches the code's, and a single line of printable ASCII text. Immutable; checked when built,
 * so a reply that reaches the wire is always well formed.
 */
public record Reply(int code, String enhancedStatus, String text) {

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final Pattern TEXT = Pattern.compile("[\\x20-\\x7E]*");

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("SMTP code must be 2xx to 5xx: " + code);
        }
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        Objects.requireNonNull(text, "text");
        if (!ENHANCED.matcher(enhancedStatus).matches()) {
            throw new IllegalArgumentException("enhanced status must look like 5.7.1: " + enhancedStatus);
        }
        if (enhancedStatus.charAt(0) != Integer.toString(code).charAt(0)) {
            throw new IllegalArgumentException("enhanced status " + enhancedStatus + " does not match code " + code);
        }
        if (text.length() > 400 || !TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("reply text must be at most 400 printable ASCII characters");
        }
    }

    /** True for 4xx replies: the client should try again later. */
    public boolean isTransient() {
        return code / 100 == 4;
    }

    /** True for 5xx replies: the client must not retry unchanged. */
    public boolean isPermanent() {
        return code / 100 == 5;
    }

    /** The reply as it appears on the wire, without the line ending: {@code 550 5.7.1 text}. */
    @Override
    public String toString() {
        return code + " " + enhancedStatus + (text.isEmpty() ? "" : " " + text);
    }
}
