package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.json;
import static dev.moat.admin.AdminTestSupport.send;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static dev.moat.admin.AdminTestSupport.simpleMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.TestGateway;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue routes of the admin API against a gateway whose queue route's next hop is down. */
class QueueApiTest {

    @TempDir
    Path dir;

    private TestGateway gateway() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        return TestGateway.builder(dir).yaml(adminYaml() + """
                queue:
                  retry-schedule: [1h]
                routes:
                  - domains: [a.test, b.test]
                    mode: queue
                    next-hops: ["smtp://127.0.0.1:%d"]
                    tls: {mode: none}
                    connect-timeout: 1s
                """.formatted(dead)).start();
    }

    private static JsonNode awaitAttempts(TestGateway gw, String id, int attempts) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            JsonNode m = json(get(gw, "/api/v1/queue/" + id));
            if (m.path("attempts").asInt() >= attempts && !m.path("state").asText().equals("active")) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("attempts stayed below " + attempts + ": " + m);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void listShowHoldReleaseFlushRequeueDelete() throws Exception {
        try (TestGateway gw = gateway()) {
            String one = sendMail(gw, "alice@sender.test", List.of("x@a.test", "y@a.test"), simpleMessage("alice@sender.test", "x@a.test", "one", "1"));
            String two = sendMail(gw, "bob@sender.test", List.of("z@b.test"), simpleMessage("bob@sender.test", "z@b.test", "two", "2"));
            JsonNode shown = awaitAttempts(gw, one, 1);
            awaitAttempts(gw, two, 1);
            assertEquals("deferred", shown.path("state").asText());
            assertEquals("a.test", shown.path("route").asText());
            assertEquals("alice@sender.test", shown.path("sender").asText());
            assertEquals(2, shown.path("pending").asInt());
            assertEquals("pending", shown.path("recipients").get(0).path("status").asText());
            assertEquals("x@a.test", shown.path("recipients").get(0).path("address").asText());
            assertTrue(shown.path("recipients").get(0).path("lastReply").asText().contains("unreachable"), shown.toString());

            JsonNode all = json(get(gw, "/api/v1/queue"));
            assertEquals(2, all.path("total").asInt());
            assertEquals(one, all.path("messages").get(0).path("id").asText(), "oldest first");
            assertEquals(List.of(two), ids(json(get(gw, "/api/v1/queue?sender=BOB"))));
            assertEquals(List.of(one), ids(json(get(gw, "/api/v1/queue?recipient=y@a.test"))));
            assertEquals(List.of(two), ids(json(get(gw, "/api/v1/queue?limit=1&offset=1"))));
            assertEquals(2, json(get(gw, "/api/v1/queue?limit=1")).path("total").asInt());
            assertEquals(List.of(), ids(json(get(gw, "/api/v1/queue?min-age=1h"))));
            assertError(get(gw, "/api/v1/queue?colour=red"), 400, "bad_request");
            assertError(get(gw, "/api/v1/queue?state=sleeping"), 400, "bad_request");

            HttpResponse<String> held = send(gw, "POST", "/api/v1/queue/" + one + "/hold", TOKEN);
            assertEquals(200, held.statusCode(), held.body());
            assertEquals("held", json(held).path("state").asText());
            assertEquals(List.of(one), ids(json(get(gw, "/api/v1/queue?state=held"))));
            assertError(send(gw, "POST", "/api/v1/queue/" + one + "/flush", TOKEN), 409, "conflict");
            assertTrue(Files.readString(stateFile(one)).contains("\"held\" : true"), "the hold is on disk");

            HttpResponse<String> released = send(gw, "POST", "/api/v1/queue/" + one + "/release", TOKEN);
            assertEquals(200, released.statusCode(), released.body());
            awaitAttempts(gw, one, 2); // released = due now
            assertError(send(gw, "POST", "/api/v1/queue/" + one + "/release", TOKEN), 409, "conflict");

            assertEquals(0, json(send(gw, "POST", "/api/v1/queue/flush?route=b.test", TOKEN)).path("flushed").asInt(),
                    "a route is named by its first domain");
            HttpResponse<String> flushed = send(gw, "POST", "/api/v1/queue/flush?route=a.test", TOKEN);
            assertEquals(2, json(flushed).path("flushed").asInt());
            awaitAttempts(gw, two, 2);
            awaitAttempts(gw, one, 3);

            HttpResponse<String> requeued = send(gw, "POST", "/api/v1/queue/" + two + "/requeue", TOKEN);
            assertEquals(200, requeued.statusCode(), requeued.body());
            awaitAttempts(gw, two, 1);

            HttpResponse<String> deleted = send(gw, "DELETE", "/api/v1/queue/" + one, TOKEN);
            assertEquals(204, deleted.statusCode(), deleted.body());
            assertError(get(gw, "/api/v1/queue/" + one), 404, "not_found");
            assertFalse(Files.exists(stateFile(one)));
            assertEquals(List.of(two), ids(json(get(gw, "/api/v1/queue"))));

            assertError(send(gw, "PUT", "/api/v1/queue/" + two, TOKEN), 405, "method_not_allowed");
            assertError(send(gw, "POST", "/api/v1/queue/" + two + "/explode", TOKEN), 404, "not_found");
            assertError(get(gw, "/api/v1/queue", null), 401, "unauthorized");
        }
    }

    private Path stateFile(String id) throws Exception {
        try (var files = Files.walk(dir.resolve("queue/msg"))) {
            return files.filter(p -> p.getFileName().toString().equals(id + ".state")).findFirst()
                    .orElse(dir.resolve("queue/msg/none/" + id + ".state"));
        }
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new java.util.ArrayList<>();
        list.path("messages").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    @Test
    void withoutAQueueRouteTheQueueRoutesAre404() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(adminYaml()).start()) {
            assertError(get(gw, "/api/v1/queue"), 404, "not_found");
        }
    }
}
