package dev.moat.core.smtp;

import dev.moat.core.auth.AuthMetrics;
import dev.moat.core.auth.AuthThrottle;
import dev.moat.core.auth.SenderLogins;
import dev.moat.core.auth.UserStore;
import dev.moat.core.config.AuthConfig;
import dev.moat.core.config.ListenerRole;
import java.util.Objects;

/**
 * What a submission listener's handlers use for AUTH: the role, the user store, the sender bindings,
 * the brute-force throttle (shared by all listeners, so 587 and 465 count together) and its meters.
 */
record Submission(ListenerRole role, AuthConfig config, UserStore users, SenderLogins senders, AuthThrottle throttle,
        AuthMetrics metrics) {

    Submission {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(senders, "senders");
        Objects.requireNonNull(throttle, "throttle");
        Objects.requireNonNull(metrics, "metrics");
        if (!role.requiresAuth()) {
            throw new IllegalArgumentException("role " + role.yamlName() + " has no AUTH");
        }
    }

    /** Whether this listener still waits for STARTTLS (587 before the upgrade). */
    boolean needsStartTls(org.apache.james.protocols.smtp.SMTPSession session) {
        return role == ListenerRole.SUBMISSION && !session.isTLSStarted();
    }
}
