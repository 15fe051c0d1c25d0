package dev.moat.filter;

import java.util.Objects;

/**
 * A filter setting is missing or has a bad value. Moat reports it at start-up as
 * {@code filters[<index>].<key>: <reason>} and refuses to start.
 */
public final class InvalidSettingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public InvalidSettingException(String key, String reason) {
        super(Objects.requireNonNull(key, "key") + ": " + Objects.requireNonNull(reason, "reason"));
        this.key = key;
    }

    /** The setting's key as written in the configuration. */
    public String key() {
        return key;
    }
}
