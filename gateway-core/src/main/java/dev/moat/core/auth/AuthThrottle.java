package dev.moat.core.auth;

import dev.moat.core.config.AuthConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Brute-force protection for SMTP AUTH: failed attempts are counted per client IP and per user name
 * over a sliding window. Each failure is answered after a delay that grows with the IP's failures
 * (so guessing gets slow long before it gets blocked); reaching a limit blocks that IP or name for
 * the block duration, during which AUTH is refused without looking at the password. Memory is
 * bounded: at most {@link #MAX_TRACKED} IPs and as many names are remembered, the least recently
 * failed going first. Thread-safe (one lock; AUTH failures are rare and cheap to count).
 */
public final class AuthThrottle {

    /** The most IPs, and the most user names, remembered at once. */
    static final int MAX_TRACKED = 100_000;

    /** Which limit blocked an attempt. */
    public enum Scope { IP, USER }

    /** What to do with a failure: wait {@code delay}, and whether it just caused a block. */
    public record Failure(Duration delay, Optional<Scope> blockedNow) {
    }

    private final Clock clock;
    private final Duration window;
    private final int maxPerIp;
    private final int maxPerUser;
    private final Duration blockDuration;
    private final Duration delayStep;
    private final Duration maxDelay;
    private final Map<String, Entry> ips = lru();
    private final Map<String, Entry> users = lru();

    private static final class Entry {
        final ArrayDeque<Instant> failures = new ArrayDeque<>();
        Instant blockedUntil = Instant.MIN;
    }

    public AuthThrottle(AuthConfig config, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = config.failureWindow();
        this.maxPerIp = config.maxFailuresPerIp();
        this.maxPerUser = config.maxFailuresPerUser();
        this.blockDuration = config.blockDuration();
        this.delayStep = config.failureDelay();
        this.maxDelay = config.maxFailureDelay();
    }

    private static Map<String, Entry> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > MAX_TRACKED;
            }
        };
    }

    /** Whether AUTH from this IP (or, if given, for this user) is blocked now. */
    public synchronized Optional<Scope> blocked(String ip, Optional<String> user) {
        Instant now = clock.instant();
        if (isBlocked(ips.get(ip), now)) {
            return Optional.of(Scope.IP);
        }
        if (user.isPresent() && isBlocked(users.get(user.get()), now)) {
            return Optional.of(Scope.USER);
        }
        return Optional.empty();
    }

    private static boolean isBlocked(Entry entry, Instant now) {
        return entry != null && now.isBefore(entry.blockedUntil);
    }

    /** Records a failed attempt and says how to answer it. */
    public synchronized Failure failure(String ip, String user) {
        Instant now = clock.instant();
        int ipCount = count(ips, ip, now);
        int userCount = count(users, user, now);
        Optional<Scope> blocked = Optional.empty();
        if (ipCount >= maxPerIp) {
            block(ips.get(ip), now);
            blocked = Optional.of(Scope.IP);
        } else if (userCount >= maxPerUser) {
            block(users.get(user), now);
            blocked = Optional.of(Scope.USER);
        }
        long steps = Math.max(ipCount, 1);
        Duration delay = delayStep.multipliedBy(steps);
        if (delay.compareTo(maxDelay) > 0) {
            delay = maxDelay;
        }
        return new Failure(delay, blocked);
    }

    private void block(Entry entry, Instant now) {
        entry.blockedUntil = now.plus(blockDuration);
        entry.failures.clear();
    }

    private int count(Map<String, Entry> map, String key, Instant now) {
        Entry entry = map.computeIfAbsent(key, k -> new Entry());
        Instant oldest = now.minus(window);
        for (Iterator<Instant> it = entry.failures.iterator(); it.hasNext(); ) {
            if (!it.next().isAfter(oldest)) {
                it.remove();
            } else {
                break;
            }
        }
        entry.failures.addLast(now);
        while (entry.failures.size() > Math.max(maxPerIp, maxPerUser)) {
            entry.failures.removeFirst();
        }
        return entry.failures.size();
    }

    /** A successful login clears the user's failures (not the IP's: one good account must not reset guessing). */
    public synchronized void success(String user) {
        Entry entry = users.get(user);
        if (entry != null && !isBlocked(entry, clock.instant())) {
            users.remove(user);
        }
    }

    /** IPs and user names blocked now (for the gauge). */
    public synchronized int blockedCount(Scope scope) {
        Instant now = clock.instant();
        Map<String, Entry> map = scope == Scope.IP ? ips : users;
        int n = 0;
        for (Entry e : map.values()) {
            if (isBlocked(e, now)) {
                n++;
            }
        }
        return n;
    }
}
