package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code queue} block and the queue route modes. */
class QueueConfigTest {

    private static MoatConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.of());
    }

    private static void fails(String yaml, String path, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        assertEquals(path + ": " + message, e.getMessage());
    }

    @Test
    void defaults() {
        QueueConfig q = parse("").queue();
        assertEquals(QueueConfig.defaults(), q);
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
                Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4)), q.retrySchedule());
        assertEquals(Duration.ofDays(5), q.maxLifetime());
        assertEquals(8, q.concurrency());
        assertEquals(100L * 1024 * 1024, q.minFreeSpace());
        assertEquals(Path.of("data/queue"), q.directoryUnder(Path.of("data")));
        assertEquals(Duration.ofHours(4), q.delayAfter(7));
        assertEquals(Duration.ofHours(4), q.delayAfter(50), "the last wait repeats");
        assertEquals(Duration.ofMinutes(1), q.delayAfter(1));
    }

    @Test
    void everyKey() {
        QueueConfig q = parse("""
                queue:
                  directory: /var/spool/moat
                  retry-schedule: [30s, 2m]
                  max-lifetime: 2d
                  concurrency: 3
                  min-free-space: 1GB
                  idle-connection: 0ms
                """).queue();
        assertEquals(new QueueConfig(Optional.of(Path.of("/var/spool/moat")), List.of(Duration.ofSeconds(30), Duration.ofMinutes(2)),
                Duration.ofDays(2), 3, 1024L * 1024 * 1024, Duration.ZERO), q);
    }

    @Test
    void badValuesNameTheKey() {
        fails("queue:\n  retry-schedule: []\n", "queue.retry-schedule", "at least one wait is required, e.g. [1m, 5m, 15m, 1h]");
        fails("queue:\n  retry-schedule: [1m, soon]\n", "queue.retry-schedule[1]",
                "'soon' is not a duration (use e.g. 500ms, 30s, 5m, 2h, 7d)");
        fails("queue:\n  retry-schedule: [0s]\n", "queue.retry-schedule[0]", "'0s' must be more than 0 and at most 30d");
        fails("queue:\n  max-lifetime: 31d\n", "queue.max-lifetime", "'31d' is too long (at most 30d)");
        fails("queue:\n  concurrency: 0\n", "queue.concurrency", "'0' is too small (at least 1)");
        fails("queue:\n  colour: blue\n", "queue.colour",
                "unknown key (known keys: directory, retry-schedule, max-lifetime, concurrency, min-free-space, idle-connection)");
    }

    @Test
    void queueRoutesTakeTheNextHopKeys() {
        RouteConfig r = parse("""
                routes:
                  - domains: [example.com]
                    mode: inline-then-queue
                    next-hops: ["smtp://10.0.0.5:25"]
                    tls: {mode: required}
                    connect-timeout: 5s
                """).routes().get(0);
        assertEquals(RouteMode.INLINE_THEN_QUEUE, r.mode());
        assertEquals(List.of(new NextHop("10.0.0.5", 25)), r.nextHops());
        assertEquals(Duration.ofSeconds(5), r.connectTimeout());
        assertEquals(RouteMode.QUEUE, parse("routes:\n  - {domains: ['*'], mode: queue, next-hops: [h]}\n").routes().get(0).mode());
        assertEquals("inline-then-queue", RouteMode.INLINE_THEN_QUEUE.yamlName());
    }
}
