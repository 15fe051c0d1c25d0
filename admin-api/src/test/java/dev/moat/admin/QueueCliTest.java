package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.admin;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static dev.moat.admin.AdminTestSupport.simpleMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.cli.QueueCommand;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code moat queue …} against a running gateway's admin API. */
class QueueCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(TestGateway gw, String token, String... args) {
        out.reset();
        err.reset();
        Map<String, String> env = token == null
                ? Map.of("MOAT_ADMIN_URL", "http://127.0.0.1:" + admin(gw).port())
                : Map.of("MOAT_ADMIN_URL", "http://127.0.0.1:" + admin(gw).port(), "MOAT_ADMIN_TOKEN", token);
        return QueueCommand.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowHoldReleaseDelete() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        try (TestGateway gw = TestGateway.builder(dir).yaml(adminYaml() + """
                queue:
                  retry-schedule: [1h]
                routes:
                  - domains: [a.test]
                    mode: queue
                    next-hops: ["smtp://127.0.0.1:%d"]
                    tls: {mode: none}
                    connect-timeout: 1s
                """.formatted(dead)).start()) {
            assertEquals(0, run(gw, TOKEN, "list"), err());
            assertEquals("Queue is empty\n", out());
            String id = sendMail(gw, "alice@sender.test", List.of("x@a.test"), simpleMessage("alice@sender.test", "x@a.test", "s", "b"));
            assertEquals(0, run(gw, TOKEN, "list", "--sender", "alice"), err());
            String listing = out();
            assertTrue(listing.startsWith("ID "), listing);
            assertTrue(listing.contains(id) && listing.contains("<alice@sender.test>") && listing.contains("    x@a.test\n"), listing);
            assertTrue(listing.endsWith("-- 1 message(s)\n"), listing);
            assertEquals(0, run(gw, TOKEN, "show", id), err());
            assertTrue(out().contains("\"id\" : \"" + id + "\""), out());
            assertEquals(0, run(gw, TOKEN, "hold", id), err());
            assertEquals("moat: " + id + ": held\n", out());
            assertEquals(1, run(gw, TOKEN, "flush", id));
            assertEquals("moat: 409: message '" + id + "' is held: release it first\n", err());
            assertEquals(0, run(gw, TOKEN, "release", id), err());
            assertEquals(0, run(gw, TOKEN, "flush"), err());
            assertTrue(out().matches("moat: [01] message\\(s\\) due now\n"), out());
            assertEquals(0, run(gw, TOKEN, "delete", id), err());
            assertEquals(1, run(gw, TOKEN, "show", id));
            assertEquals("moat: 404: there is no message '" + id + "' in the queue\n", err());
            assertEquals(1, run(gw, null, "list"));
            assertTrue(err().startsWith("moat: 401: "), err());
            assertEquals(2, run(gw, TOKEN, "explode"));
            assertTrue(err().contains("usage: moat queue"), err());
        }
    }
}
