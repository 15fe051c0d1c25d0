package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.ConfigLoader;
import dev.moat.core.smtp.TlsTestCertificates;
import dev.moat.core.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin.tls}: the admin server over HTTPS with PEM files, and its configuration errors. */
class AdminTlsTest {

    @TempDir
    Path dir;

    private static String yaml(Path certificate, Path key) {
        return AdminTestSupport.adminYaml() + "  tls:\n    certificate: \"" + certificate + "\"\n    key: \"" + key + "\"\n";
    }

    @Test
    void theAdminServerSpeaksHttpsWithTheConfiguredCertificate() throws Exception {
        TlsTestCertificates certs = TlsTestCertificates.create(Files.createDirectories(dir.resolve("certs")));
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml(certs.certificate, certs.key)).start()) {
            int port = AdminTestSupport.admin(gw).port();
            HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> status = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/status"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, status.statusCode(), status.body());
            SSLSession session = status.sslSession().orElseThrow();
            assertTrue(session.getProtocol().equals("TLSv1.3") || session.getProtocol().equals("TLSv1.2"), session.getProtocol());
            assertEquals(certs.x509, session.getPeerCertificates()[0]);
            HttpResponse<String> console = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/console/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, console.statusCode());

            // plain HTTP on the HTTPS port gets nothing useful
            boolean refused;
            try {
                HttpResponse<String> plain = AdminTestSupport.HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                refused = plain.statusCode() != 200;
            } catch (IOException expected) {
                refused = true;
            }
            assertTrue(refused, "plain HTTP must not be served on the TLS port");
        }
    }

    @Test
    void configurationErrorsNameTheKey() throws Exception {
        TlsTestCertificates certs = TlsTestCertificates.create(Files.createDirectories(dir.resolve("certs")));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "admin:\n  tls:\n    certificate: \"" + certs.certificate + "\"\n", Map.of()));
        assertEquals("admin.tls.key", e.keyPath());
        assertEquals("required when admin.tls is set", e.reason());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "admin:\n  tls:\n    certificate: \"" + certs.certificate + "\"\n    key: \"" + dir.resolve("none.pem") + "\"\n",
                Map.of()));
        assertEquals("admin.tls.key", e.keyPath());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("admin:\n  tls:\n    mode: implicit\n", Map.of()));
        assertEquals("admin.tls.mode", e.keyPath());

        // a key file that is not a key: start-up fails naming it
        Path notAKey = certs.certificate;
        e = assertThrows(ConfigException.class,
                () -> TestGateway.builder(dir.resolve("data")).yaml(yaml(certs.certificate, notAKey)).start());
        assertTrue(e.keyPath().startsWith("admin.tls"), e.getMessage());
    }
}
