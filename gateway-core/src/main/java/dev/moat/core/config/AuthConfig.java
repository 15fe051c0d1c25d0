package dev.moat.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * SMTP AUTH on the submission listeners (YAML block {@code auth}).
 *
 * @param usersFile Dovecot-style {@code user:{SCHEME}hash} lines; required when a listener has role
 *     submission or submissions
 * @param senderLogins which envelope senders each user may use ({@code user: addr, @domain}); when
 *     absent, a user may only use their login name as the sender
 * @param checkFromHeader whether the {@code From:} header addresses must be allowed senders too
 * @param receivedShowsUser whether the {@code Received:} header names the authenticated user
 * @param reloadInterval how often the users and sender files are checked for changes
 * @param failureWindow the sliding window over which failed AUTH attempts are counted
 * @param maxFailuresPerIp failures from one client IP within the window that block that IP
 * @param maxFailuresPerUser failures for one user name within the window that block that name
 * @param blockDuration how long a block lasts
 * @param failureDelay the delay added before each failure reply, times the failures so far
 * @param maxFailureDelay the cap of that delay
 */
public record AuthConfig(Optional<Path> usersFile, Optional<Path> senderLogins, boolean checkFromHeader,
        boolean receivedShowsUser, Duration reloadInterval, Duration failureWindow, int maxFailuresPerIp,
        int maxFailuresPerUser, Duration blockDuration, Duration failureDelay, Duration maxFailureDelay) {

    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofMinutes(15);
    public static final int DEFAULT_MAX_FAILURES_PER_IP = 10;
    public static final int DEFAULT_MAX_FAILURES_PER_USER = 20;
    public static final Duration DEFAULT_BLOCK_DURATION = Duration.ofMinutes(15);
    public static final Duration DEFAULT_FAILURE_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_FAILURE_DELAY = Duration.ofSeconds(5);
    /** The longest delay allowed: a delay holds a worker thread. */
    public static final Duration MAX_MAX_FAILURE_DELAY = Duration.ofSeconds(30);

    public AuthConfig {
        Objects.requireNonNull(usersFile, "usersFile");
        Objects.requireNonNull(senderLogins, "senderLogins");
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        Objects.requireNonNull(failureWindow, "failureWindow");
        Objects.requireNonNull(blockDuration, "blockDuration");
        Objects.requireNonNull(failureDelay, "failureDelay");
        Objects.requireNonNull(maxFailureDelay, "maxFailureDelay");
        if (maxFailuresPerIp < 1 || maxFailuresPerUser < 1) {
            throw new IllegalArgumentException("failure limits must be at least 1");
        }
        if (failureWindow.isNegative() || failureWindow.isZero() || blockDuration.isNegative()
                || failureDelay.isNegative() || maxFailureDelay.isNegative() || reloadInterval.isNegative()) {
            throw new IllegalArgumentException("durations must be positive");
        }
        if (maxFailureDelay.compareTo(MAX_MAX_FAILURE_DELAY) > 0) {
            throw new IllegalArgumentException("maxFailureDelay is at most " + MAX_MAX_FAILURE_DELAY);
        }
    }

    /** No users: the value of an omitted {@code auth} block. */
    public static AuthConfig defaults() {
        return new AuthConfig(Optional.empty(), Optional.empty(), false, false, DEFAULT_RELOAD_INTERVAL,
                DEFAULT_FAILURE_WINDOW, DEFAULT_MAX_FAILURES_PER_IP, DEFAULT_MAX_FAILURES_PER_USER,
                DEFAULT_BLOCK_DURATION, DEFAULT_FAILURE_DELAY, DEFAULT_MAX_FAILURE_DELAY);
    }
}
