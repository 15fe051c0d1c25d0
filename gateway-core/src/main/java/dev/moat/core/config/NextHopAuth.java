package dev.moat.core.config;

import java.util.Objects;

/**
 * Credentials Moat presents to a next hop (AUTH PLAIN or LOGIN, over TLS only). {@link #toString()}
 * never shows the password, so it cannot leak into a log or an error message.
 */
public record NextHopAuth(String username, String password) {

    public NextHopAuth {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "NextHopAuth[username=" + username + ", password=****]";
    }
}
