package dev.moat.core.config;

import java.util.Objects;

/**
 * A configuration that cannot be used, with the place it went wrong.
 *
 * <p>The key path ({@code listeners[1].tls.certificate}, {@code limits.max-message-size}) is kept
 * apart from the reason so that callers (the admin API's reload endpoint, tests) can act on it,
 * while {@link #getMessage()} reads {@code <keyPath>: <reason>} for an operator at the console.
 * An empty key path means the document as a whole (a YAML syntax error, a file that cannot be
 * read); the message is then the reason alone.
 *
 * <p>Reasons name the offending value so the operator does not have to guess, except for values
 * that came from environment variables, which may be secrets and are never repeated.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String keyPath;
    private final String reason;

    /**
     * @param keyPath where the problem is, e.g. {@code limits.max-recipients}; empty for the whole
     *     document
     * @param reason what is wrong, naming the value, e.g. {@code '25XB' is not a size ...}
     */
    public ConfigException(String keyPath, String reason) {
        this(keyPath, reason, null);
    }

    /** Same as {@link #ConfigException(String, String)}, keeping the low-level cause. */
    public ConfigException(String keyPath, String reason, Throwable cause) {
        super(format(keyPath, reason), cause);
        this.keyPath = keyPath;
        this.reason = reason;
    }

    private static String format(String keyPath, String reason) {
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(reason, "reason");
        return keyPath.isEmpty() ? reason : keyPath + ": " + reason;
    }

    /** The key path of the offending value, or the empty string for the whole document. */
    public String keyPath() {
        return keyPath;
    }

    /** The reason alone, without the key path. */
    public String reason() {
        return reason;
    }
}
