package dev.moat.core.store;

import java.util.regex.Pattern;

/**
 * The rule for message ids: {@code [A-Za-z0-9._-]{1,64}}.
 *
 * <p>Ids become file names ({@code <id>.eml}, {@code <id>.json}), so the alphabet excludes path
 * separators and anything a file system could interpret; because a suffix is always appended, even
 * {@code ..} names a plain file inside the store directory. Stateless and thread-safe.
 */
final class MessageIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private MessageIds() {
    }

    /** Whether {@code id} is non-null and matches the id rule. */
    static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Returns {@code id} if valid; otherwise throws {@link IllegalArgumentException} (or NPE for null). */
    static String requireValid(String id) {
        if (id == null) {
            throw new NullPointerException("id");
        }
        if (!isValid(id)) {
            throw new IllegalArgumentException("invalid message id (want [A-Za-z0-9._-]{1,64}): \"" + id + "\"");
        }
        return id;
    }
}
