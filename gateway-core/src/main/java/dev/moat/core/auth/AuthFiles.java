package dev.moat.core.auth;

import dev.moat.core.config.AuthConfig;
import dev.moat.core.config.ConfigException;
import java.util.Optional;

/** Opens the files of the {@code auth} block, turning problems into config errors that name the key. */
public final class AuthFiles {

    private AuthFiles() {
    }

    /** The user store of {@code auth.users-file}; empty when none is configured. */
    public static Optional<UserStore> users(AuthConfig config) {
        if (config.usersFile().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PasswordFileUserStore(config.usersFile().get(), config.reloadInterval()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("auth.users-file", config.usersFile().get() + ": " + e.getMessage());
        }
    }

    /** The sender bindings of {@code auth.sender-logins}, or login-name-only when none is configured. */
    public static SenderLogins senders(AuthConfig config) {
        if (config.senderLogins().isEmpty()) {
            return SenderLogins.loginNameOnly();
        }
        try {
            return SenderLogins.fromFile(config.senderLogins().get(), config.reloadInterval(), System::nanoTime);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("auth.sender-logins", config.senderLogins().get() + ": " + e.getMessage());
        }
    }
}
