package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.config.ConfigException;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unusable certificate or key files stop the start with a ConfigException naming the key. */
class TlsConfigErrorsTest {

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    private static String listener(String name, String mode, Path cert, Path key) {
        return "  - name: " + name + "\n"
                + "    address: 127.0.0.1:0\n"
                + "    tls:\n"
                + "      mode: " + mode + "\n"
                + "      certificate: \"" + cert + "\"\n"
                + "      key: \"" + key + "\"\n";
    }

    private ConfigException startFails(String yaml) {
        return assertThrows(ConfigException.class, () -> TestGateway.builder(dir).yaml(yaml).start().close());
    }

    @Test
    void garbageKeyFile() throws Exception {
        Path key = Files.writeString(dir.resolve("garbage.pem"), "this is not a key\n", StandardCharsets.US_ASCII);
        ConfigException e = startFails("listeners:\n" + listener("test", "starttls", certs.certificate, key));
        assertEquals("listeners[0].tls.key", e.keyPath(), e.getMessage());
        assertTrue(e.reason().contains("PKCS#8"), e.getMessage());
    }

    @Test
    void pkcs1KeyIsRefusedWithAHint() throws Exception {
        Path key = certs.writePkcs1Key(dir.resolve("rsa.pem"));
        ConfigException e = startFails("listeners:\n" + listener("test", "implicit", certs.certificate, key));
        assertEquals("listeners[0].tls.key", e.keyPath(), e.getMessage());
        assertTrue(e.reason().contains("openssl pkcs8"), e.getMessage());
    }

    @Test
    void pkcs8BlockWithGarbageInside() throws Exception {
        Path key = Files.writeString(dir.resolve("bad8.pem"),
                TlsTestCertificates.pem("PRIVATE KEY", "not DER at all".getBytes(StandardCharsets.US_ASCII)));
        ConfigException e = startFails("listeners:\n" + listener("test", "starttls", certs.certificate, key));
        assertEquals("listeners[0].tls.key", e.keyPath(), e.getMessage());
    }

    @Test
    void garbageCertificateFile() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        ConfigException e = startFails("listeners:\n" + listener("test", "starttls", cert, certs.key));
        assertEquals("listeners[0].tls.certificate", e.keyPath(), e.getMessage());
    }

    @Test
    void keyThatDoesNotMatchTheCertificate() throws Exception {
        TlsTestCertificates other = TlsTestCertificates.create(Files.createDirectories(dir.resolve("other")));
        ConfigException e = startFails("listeners:\n" + listener("test", "starttls", certs.certificate, other.key));
        assertTrue(e.keyPath().startsWith("listeners[0].tls"), e.getMessage());
    }

    /** The second listener is bad: the first, already bound, must be released again and no thread left. */
    @Test
    void badSecondListenerReleasesTheFirstAndLeavesNoThreads() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        Set<Thread> before = Set.copyOf(LimitsSupport.moatThreads());
        Path key = Files.writeString(dir.resolve("garbage.pem"), "garbage\n");
        String yaml = "listeners:\n"
                + "  - name: plain\n    address: 127.0.0.1:" + port + "\n"
                + listener("secure", "starttls", certs.certificate, key);
        ConfigException e = startFails(yaml);
        assertEquals("listeners[1].tls.key", e.keyPath(), e.getMessage());

        // The first listener's port is free again.
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port));
        }
        LimitsSupport.eventually(Duration.ofSeconds(5), "threads of the failed start end", () -> {
            List<Thread> left = LimitsSupport.moatThreads().stream().filter(t -> !before.contains(t)).collect(Collectors.toList());
            return left.isEmpty();
        });
    }

    /** Sanity check that the certificate and key used above do work together. */
    @Test
    void theGoodPairStarts() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("starttls")).start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals("220 mx.test.example ESMTP Moat", c.lastLine());
        }
    }
}
