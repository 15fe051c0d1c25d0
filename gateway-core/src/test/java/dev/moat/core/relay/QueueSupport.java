package dev.moat.core.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.queue.MessageQueue;
import dev.moat.core.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Shared pieces of the queue tests: configuration, the queue's 250, files on disk. */
final class QueueSupport {

    static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as ([A-Za-z0-9._-]{1,64})");

    private QueueSupport() {
    }

    /**
     * A queue block with a compressed schedule and a route {@code a.test} of {@code mode} to the
     * hops; {@code sender.test} is captured, so that DSNs to its senders land in the capture store.
     */
    static String yaml(String mode, String schedule, String lifetime, String... hops) {
        StringBuilder b = new StringBuilder();
        b.append("queue:\n  retry-schedule: ").append(schedule).append("\n  max-lifetime: ").append(lifetime)
                .append("\n  idle-connection: 2s\n  concurrency: 2\n");
        b.append("routes:\n  - domains: [a.test]\n    mode: ").append(mode).append("\n    next-hops: [");
        for (int i = 0; i < hops.length; i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(hops[i]).append('"');
        }
        b.append("]\n    tls: {mode: none}\n    connect-timeout: 1s\n    command-timeout: 5s\n    data-timeout: 10s\n");
        b.append("  - domains: [sender.test]\n    mode: capture\n");
        return b.toString();
    }

    static String queuedId(String reply) {
        Matcher m = QUEUED.matcher(reply);
        assertTrue(m.matches(), "expected 250 queued, got: " + reply);
        return m.group(1);
    }

    static MessageQueue queue(TestGateway gw) {
        return gw.gateway().queue().orElseThrow();
    }

    /** Every file under queue/msg (messages and states). */
    static List<Path> queueFiles(Path dataDirectory) throws IOException {
        Path msg = dataDirectory.resolve("queue").resolve("msg");
        if (!Files.isDirectory(msg)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(msg)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
