package dev.moat.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moat.core.config.AuthConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {

    private static AuthConfig config(int perIp, int perUser) {
        AuthConfig d = AuthConfig.defaults();
        return new AuthConfig(Optional.empty(), Optional.empty(), false, false, d.reloadInterval(), Duration.ofMinutes(10),
                perIp, perUser, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofSeconds(3));
    }

    @Test
    void delayGrowsWithTheIpsFailuresUpToTheCap() {
        TestNanoClock clock = new TestNanoClock();
        AuthThrottle throttle = new AuthThrottle(config(10, 100), clock);
        assertEquals(Duration.ofSeconds(1), throttle.failure("192.0.2.1", "a").delay());
        assertEquals(Duration.ofSeconds(2), throttle.failure("192.0.2.1", "b").delay());
        assertEquals(Duration.ofSeconds(3), throttle.failure("192.0.2.1", "c").delay());
        assertEquals(Duration.ofSeconds(3), throttle.failure("192.0.2.1", "d").delay());
        assertEquals(Duration.ofSeconds(1), throttle.failure("192.0.2.2", "a").delay(), "another IP starts afresh");
    }

    @Test
    void theWindowSlides() {
        TestNanoClock clock = new TestNanoClock();
        AuthThrottle throttle = new AuthThrottle(config(3, 100), clock);
        throttle.failure("192.0.2.1", "a");
        clock.advance(Duration.ofMinutes(6));
        throttle.failure("192.0.2.1", "a");
        clock.advance(Duration.ofMinutes(6)); // the first failure is now out of the 10-minute window
        assertEquals(Optional.empty(), throttle.failure("192.0.2.1", "a").blockedNow());
        assertEquals(Optional.of(AuthThrottle.Scope.IP), throttle.failure("192.0.2.1", "a").blockedNow());
    }

    @Test
    void blocksLastTheBlockDurationThenExpire() {
        TestNanoClock clock = new TestNanoClock();
        AuthThrottle throttle = new AuthThrottle(config(100, 2), clock);
        throttle.failure("192.0.2.1", "ann");
        assertEquals(Optional.of(AuthThrottle.Scope.USER), throttle.failure("192.0.2.9", "ann").blockedNow());
        assertEquals(Optional.of(AuthThrottle.Scope.USER), throttle.blocked("198.51.100.7", Optional.of("ann")));
        assertEquals(Optional.empty(), throttle.blocked("198.51.100.7", Optional.of("bea")));
        assertEquals(1, throttle.blockedCount(AuthThrottle.Scope.USER));
        clock.advance(Duration.ofMinutes(15));
        assertEquals(Optional.empty(), throttle.blocked("198.51.100.7", Optional.of("ann")));
        assertEquals(0, throttle.blockedCount(AuthThrottle.Scope.USER));
    }

    @Test
    void successClearsTheUsersFailuresButNotTheIps() {
        TestNanoClock clock = new TestNanoClock();
        AuthThrottle throttle = new AuthThrottle(config(3, 2), clock);
        throttle.failure("192.0.2.1", "ann");
        throttle.success("ann");
        assertEquals(Optional.empty(), throttle.failure("192.0.2.1", "ann").blockedNow(), "ann's count restarted");
        assertEquals(Optional.of(AuthThrottle.Scope.IP), throttle.failure("192.0.2.1", "bea").blockedNow());
    }
}
