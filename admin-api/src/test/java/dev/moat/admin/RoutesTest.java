package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.HTTP;
import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.admin;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.json;
import static dev.moat.admin.AdminTestSupport.request;
import static dev.moat.admin.AdminTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Status, filters, config, health, metrics formats, and the error answers of every kind. */
class RoutesTest {

    static final String YAML = adminYaml() + """
            filters:
              - name: gatekeeper
                type: gate
                timeout: 5s
                reject-prefix: bad
                api-key: abc123-filter-secret
                smtp-password: hunter2-filter-secret
                level: 2
                community: declared-filter-secret
                options: {secret-token: xyz-nested-secret, depth: 3, nested: [{key-file: /etc/moat/k.pem}, plain]}
            routes:
              - domains: [inline.test]
                mode: inline
                next-hops: ["smtp://127.0.0.1:9"]
                auth: {username: relay-user, password: relay-route-secret}
              - domains: ["*"]
                mode: capture
            """;

    @TempDir
    static Path dir;

    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.builder(dir).filterType(AdminTestSupport.gateType()).yaml(YAML).start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void status() throws Exception {
        HttpResponse<String> r = get(gw, "/api/v1/status");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        JsonNode s = json(r);
        String expectedVersion = dev.moat.core.Gateway.class.getPackage().getImplementationVersion();
        assertEquals(expectedVersion != null ? expectedVersion : "development", s.path("version").asText());
        assertTrue(s.path("uptimeSeconds").isIntegralNumber() && s.path("uptimeSeconds").asLong() >= 0, r.body());
        assertEquals("127.0.0.1:" + gw.port(), s.path("listeners").path("test").asText());
        assertEquals(2, s.path("routes").size());
        JsonNode inline = s.path("routes").get(0);
        assertEquals("inline", inline.path("mode").asText());
        assertEquals("inline.test", inline.path("domains").get(0).asText());
        assertEquals("smtp://127.0.0.1:9", inline.path("nextHops").get(0).asText());
        assertEquals("capture", s.path("routes").get(1).path("mode").asText());
        assertEquals(0, s.path("routes").get(1).path("nextHops").size());
        assertEquals(0, s.path("counts").path("capture").asInt());
        assertEquals(0, s.path("counts").path("quarantine").asInt());
        assertEquals(0, s.path("counts").path("spoolFiles").asInt());
    }

    @Test
    void filtersInOrderWithSecretsMasked() throws Exception {
        HttpResponse<String> r = get(gw, "/api/v1/filters");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode filters = json(r).path("filters");
        assertEquals(1, filters.size());
        JsonNode f = filters.get(0);
        assertEquals("gatekeeper", f.path("name").asText());
        assertEquals("gate", f.path("type").asText());
        assertEquals("5s", f.path("timeout").asText());
        assertEquals(List.of("rcptTo", "data"), texts(f.path("stages")));
        JsonNode settings = f.path("settings");
        assertEquals("bad", settings.path("reject-prefix").asText());
        assertEquals(2, settings.path("level").asInt());
        assertEquals("****", settings.path("api-key").asText());
        assertEquals("****", settings.path("smtp-password").asText());
        assertEquals("****", settings.path("community").asText());
        assertEquals("****", settings.path("options").path("secret-token").asText());
        assertEquals(3, settings.path("options").path("depth").asInt());
        assertEquals("****", settings.path("options").path("nested").get(0).path("key-file").asText());
        assertEquals("plain", settings.path("options").path("nested").get(1).asText());
        assertNoSecrets(r.body());
    }

    @Test
    void effectiveConfigWithSecretsMasked() throws Exception {
        HttpResponse<String> r = get(gw, "/api/v1/config");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode c = json(r);
        assertEquals("****", c.path("admin").path("token").asText());
        assertEquals("127.0.0.1:0", c.path("admin").path("address").asText());
        assertTrue(c.path("admin").path("public-metrics").asBoolean());
        assertEquals("mx.test.example", c.path("server").path("hostname").asText());
        assertEquals("30s", c.path("server").path("shutdown-grace").asText());
        assertEquals(dir.toString(), c.path("server").path("data-directory").asText());
        assertEquals("test", c.path("listeners").get(0).path("name").asText());
        assertEquals("none", c.path("listeners").get(0).path("tls").path("mode").asText());
        assertEquals(25L * 1024 * 1024, c.path("limits").path("max-message-size").asLong());
        assertEquals("reject", c.path("limits").path("bare-line-endings").asText());
        JsonNode route = c.path("routes").get(0);
        assertEquals("relay-user", route.path("auth").path("username").asText());
        assertEquals("****", route.path("auth").path("password").asText());
        assertEquals("opportunistic", route.path("tls").path("mode").asText());
        assertEquals("smtp://127.0.0.1:9", route.path("next-hops").get(0).asText());
        assertEquals("30s", route.path("connect-timeout").asText());
        assertTrue(c.path("routes").get(1).path("auth").isNull());
        JsonNode filter = c.path("filters").get(0);
        assertEquals("gatekeeper", filter.path("name").asText());
        assertEquals("****", filter.path("api-key").asText());
        assertEquals("****", filter.path("community").asText());
        assertEquals("bad", filter.path("reject-prefix").asText());
        assertEquals(10000, c.path("capture").path("max-messages").asInt());
        assertEquals("30d", c.path("capture").path("max-age").asText());
        assertNoSecrets(r.body());
    }

    private static void assertNoSecrets(String body) {
        for (String secret : new String[] {TOKEN, "relay-route-secret", "abc123-filter-secret", "hunter2-filter-secret",
            "xyz-nested-secret", "/etc/moat/k.pem", "declared-filter-secret"}) {
            assertFalse(body.contains(secret), secret + " leaked: " + body);
        }
    }

    @Test
    void healthAndReadiness() throws Exception {
        HttpResponse<String> health = get(gw, "/healthz", null);
        assertEquals(200, health.statusCode());
        assertEquals("up", json(health).path("status").asText());
        HttpResponse<String> ready = get(gw, "/readyz", null);
        assertEquals(200, ready.statusCode());
        assertEquals("ready", json(ready).path("status").asText());
    }

    @Test
    void metricsInBothFormats() throws Exception {
        HttpResponse<String> text = get(gw, "/metrics", null);
        assertEquals(200, text.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("Content-Type").orElseThrow());
        Exposition parsed = Exposition.parse(text.body());
        assertTrue(parsed.has("jvm_memory_used_bytes"));
        assertTrue(parsed.has("process_uptime_seconds"));
        assertTrue(parsed.has("jvm_threads_live_threads"));
        assertFalse(text.body().contains("# EOF"));

        HttpResponse<String> open = HTTP.send(request(gw, "/metrics", null)
                .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;q=0.5").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, open.statusCode());
        assertTrue(open.headers().firstValue("Content-Type").orElseThrow().startsWith("application/openmetrics-text"),
                open.headers().map().toString());
        assertTrue(open.body().endsWith("# EOF\n"), open.body());
        assertTrue(Exposition.parse(open.body()).has("jvm_memory_used_bytes"));
    }

    @Test
    void unknownRoutesAre404() throws Exception {
        assertError(get(gw, "/nope", null), 404, "not_found");
        assertError(get(gw, "/", null), 404, "not_found");
        assertError(get(gw, "/api/v1/nope"), 404, "not_found");
        assertError(get(gw, "/api/v2/status"), 404, "not_found");
        assertError(get(gw, "/api/v1/status/extra"), 404, "not_found");
        assertError(get(gw, "/api/v1/spam/messages"), 404, "not_found");
        assertError(get(gw, "/api/v1/capture/messages/some-id/other"), 404, "not_found");
        assertError(get(gw, "/api/v1/capture/messages/no-such-id"), 404, "not_found");
        assertError(get(gw, "/api/v1/capture/messages/no-such-id/raw"), 404, "not_found");
        assertError(get(gw, "/api/v1/capture/messages/..%2F..%2Fetc/raw"), 400, "bad_request");
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> post = send(gw, "POST", "/api/v1/status", TOKEN);
        assertError(post, 405, "method_not_allowed");
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertError(send(gw, "DELETE", "/metrics", null), 405, "method_not_allowed");
        assertError(send(gw, "PUT", "/healthz", null), 405, "method_not_allowed");
        HttpResponse<String> onMessage = send(gw, "POST", "/api/v1/capture/messages/abc", TOKEN);
        assertError(onMessage, 405, "method_not_allowed");
        assertEquals("GET, HEAD, DELETE", onMessage.headers().firstValue("Allow").orElseThrow());
        assertError(send(gw, "DELETE", "/api/v1/capture/messages", TOKEN), 405, "method_not_allowed");
        HttpResponse<String> head = send(gw, "HEAD", "/healthz", null);
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void largeBodiesAre413() throws Exception {
        byte[] big = new byte[70 * 1024];
        HttpResponse<String> declared = HTTP.send(request(gw, "/api/v1/status", TOKEN)
                .method("GET", HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertError(declared, 413, "payload_too_large");
        HttpResponse<String> chunked = HTTP.send(request(gw, "/api/v1/status", TOKEN)
                .method("GET", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(chunked, 413, "payload_too_large");
        HttpResponse<String> small = HTTP.send(request(gw, "/api/v1/status", TOKEN)
                .method("GET", HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, small.statusCode(), "a small stray body is ignored");
    }

    @Test
    void jettysOwnErrorsAreJsonToo() throws Exception {
        try (Socket s = new Socket("127.0.0.1", admin(gw).port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 431"), response);
            assertTrue(response.contains("application/json"), response);
            assertTrue(response.contains("\"error\" : \"headers_too_large\""), response);
            assertFalse(response.contains("<html"), response);
        }
    }

    static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
