package dev.moat.core.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * SMTP AUTH meters. Labels are bounded: the listener name from the configuration, a result from
 * {success, failure, blocked} and a scope from {ip, user}; never a user name or an address.
 * Prometheus names: {@code moat_auth_attempts_total}, {@code moat_auth_blocks_total},
 * {@code moat_auth_blocked}. Thread-safe.
 */
public final class AuthMetrics {

    private final MeterRegistry registry;

    public AuthMetrics(MeterRegistry registry, AuthThrottle throttle) {
        this.registry = registry;
        for (AuthThrottle.Scope scope : AuthThrottle.Scope.values()) {
            Gauge.builder("moat.auth.blocked", throttle, t -> t.blockedCount(scope))
                    .description("Client IPs and user names whose AUTH is blocked now after too many failures")
                    .tag("scope", scope.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        }
    }

    /** One AUTH exchange's outcome: success, failure (bad credentials) or blocked (refused unchecked). */
    public void attempt(String listener, String result) {
        Counter.builder("moat.auth.attempts").description("AUTH exchanges completed, by result")
                .tags("listener", listener, "result", result).register(registry).increment();
    }

    /** An IP or a user name just got blocked. */
    public void block(AuthThrottle.Scope scope) {
        Counter.builder("moat.auth.blocks").description("Blocks imposed after too many failed AUTH attempts")
                .tag("scope", scope.name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
    }
}
