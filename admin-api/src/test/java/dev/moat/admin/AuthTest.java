package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.admin;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.ConfigLoader;
import dev.moat.core.testing.TestGateway;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bearer token, public and private metrics, and the start-up rules of the admin block. */
class AuthTest {

    @TempDir
    Path dir;

    @Test
    void apiRoutesNeedTheRightToken() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(adminYaml()).start()) {
            HttpResponse<String> missing = get(gw, "/api/v1/status", null);
            assertError(missing, 401, "unauthorized");
            assertEquals("Bearer realm=\"moat\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());

            HttpResponse<String> wrong = get(gw, "/api/v1/status", TOKEN + "x");
            assertError(wrong, 401, "unauthorized");
            assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer realm=\"moat\""));

            HttpResponse<String> otherScheme = AdminTestSupport.HTTP.send(AdminTestSupport.request(gw, "/api/v1/status", null)
                    .header("Authorization", "Basic " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertError(otherScheme, 401, "unauthorized");

            // Unknown routes under /api/ do not tell an anonymous client what exists.
            assertError(get(gw, "/api/v1/nothing-here", null), 401, "unauthorized");

            HttpResponse<String> right = get(gw, "/api/v1/status", TOKEN);
            assertEquals(200, right.statusCode(), right.body());
            assertTrue(json(right).path("version").isTextual());

            // The scheme is case-insensitive (RFC 7235).
            HttpResponse<String> lower = AdminTestSupport.HTTP.send(AdminTestSupport.request(gw, "/api/v1/status", null)
                    .header("Authorization", "bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, lower.statusCode());
        }
    }

    @Test
    void metricsAndHealthArePublicByDefault() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(adminYaml()).start()) {
            for (String path : new String[] {"/metrics", "/healthz", "/readyz"}) {
                HttpResponse<String> r = get(gw, path, null);
                assertEquals(200, r.statusCode(), path + ": " + r.body());
            }
        }
    }

    @Test
    void privateMetricsNeedTheToken() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(adminYaml() + "  public-metrics: false\n").start()) {
            for (String path : new String[] {"/metrics", "/healthz", "/readyz"}) {
                HttpResponse<String> anonymous = get(gw, path, null);
                assertError(anonymous, 401, "unauthorized");
                assertTrue(anonymous.headers().firstValue("WWW-Authenticate").isPresent());
                assertEquals(200, get(gw, path, TOKEN).statusCode(), path);
            }
        }
    }

    @Test
    void withoutATokenTheApiAnswers401WithTheHint() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("admin:\n  address: 127.0.0.1:0\n").start()) {
            HttpResponse<String> r = get(gw, "/api/v1/status", "anything-at-all-0123456789");
            String message = assertError(r, 401, "unauthorized").path("message").asText();
            assertTrue(message.contains("admin.token"), message);
            assertEquals(200, get(gw, "/metrics", null).statusCode(), "metrics stay public");
        }
    }

    @Test
    void aNonLoopbackAddressWithoutTokenIsRefusedAtLoad() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("admin:\n  address: 0.0.0.0:0\n", Map.of()));
        assertEquals("admin.token", e.keyPath());
    }

    @Test
    void aFailedBindFailsStartUpNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            BindException e = assertThrows(BindException.class, () -> TestGateway.builder(dir)
                    .yaml("admin:\n  address: 127.0.0.1:" + port + "\n  token: " + TOKEN + "\n").start());
            assertTrue(e.getMessage().startsWith("admin.address 127.0.0.1:" + port + ": "), e.getMessage());
        }
        assertNoAdminThreads();
    }

    @Test
    void aDisabledAdminServerListensNowhere() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("admin:\n  enabled: false\n  address: 127.0.0.1:8025\n").start()) {
            assertThrows(IllegalStateException.class, () -> admin(gw).port());
            assertNoAdminThreads();
            // The registry is still the Prometheus one: the core's meters are collected either way.
            assertTrue(gw.runtime().injector().getInstance(io.micrometer.core.instrument.MeterRegistry.class)
                    instanceof io.micrometer.prometheusmetrics.PrometheusMeterRegistry);
        }
    }

    @Test
    void closeStopsTheServerAndItsThreads() throws Exception {
        int port;
        try (TestGateway gw = TestGateway.builder(dir).yaml(adminYaml()).start()) {
            port = admin(gw).port();
            Set<String> names = threadNames();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("moat-admin-")), names.toString());
        }
        assertNoAdminThreads();
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        });
    }

    static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }

    static void assertNoAdminThreads() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<String> left;
        do {
            left = threadNames().stream().filter(n -> n.startsWith("moat-admin")).collect(Collectors.toSet());
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("admin threads still running: " + left);
    }
}
