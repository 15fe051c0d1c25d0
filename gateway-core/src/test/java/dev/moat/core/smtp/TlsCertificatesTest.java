package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several certificates on one listener (SNI, RSA next to ECDSA) and certificate reload without restart. */
class TlsCertificatesTest {

    @TempDir
    Path dir;

    private static String listener(String mode, TlsTestCertificates main, String extra) {
        return "listeners:\n  - name: test\n    address: 127.0.0.1:0\n    tls:\n"
                + "      mode: " + mode + "\n"
                + "      certificate: \"" + main.certificate + "\"\n"
                + "      key: \"" + main.key + "\"\n" + extra;
    }

    private static String additional(TlsTestCertificates... certs) {
        StringBuilder b = new StringBuilder("      additional-certificates:\n");
        for (TlsTestCertificates c : certs) {
            b.append("        - {certificate: \"").append(c.certificate).append("\", key: \"").append(c.key).append("\"}\n");
        }
        return b.toString();
    }

    private static String subject(SSLSocket socket) throws Exception {
        try (socket) {
            return TlsClients.served(socket).getSubjectX500Principal().getName();
        }
    }

    @Test
    void sniChoosesTheCertificateByName() throws Exception {
        TlsTestCertificates mx = TlsTestCertificates.create(dir, "mx-", "RSA", "mx.test.example");
        TlsTestCertificates other = TlsTestCertificates.create(dir, "other-", "RSA", "mail.other.example");
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(listener("implicit", mx, additional(other))).start()) {
            TlsTestCertificates[] client = {mx, other};
            assertEquals("CN=mail.other.example", subject(TlsClients.connect(TlsClients.trusting(client), gw.port(), "mail.other.example", null, null)));
            assertEquals("CN=mx.test.example", subject(TlsClients.connect(TlsClients.trusting(client), gw.port(), "mx.test.example", null, null)));
            assertEquals("CN=mx.test.example", subject(TlsClients.connect(TlsClients.trusting(client), gw.port(), null, null, null)),
                    "without SNI the main certificate");
            assertEquals("CN=mx.test.example", subject(TlsClients.connect(TlsClients.trusting(client), gw.port(), "unknown.example", null, null)),
                    "an unknown name gets the main certificate");
        }
    }

    @Test
    void rsaAndEcdsaCertificatesSideBySide() throws Exception {
        TlsTestCertificates rsa = TlsTestCertificates.create(dir, "rsa-", "RSA", "mx.test.example");
        TlsTestCertificates ec = TlsTestCertificates.create(dir, "ec-", "EC", "mx.test.example");
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(listener("implicit", rsa, additional(ec))).start()) {
            TlsTestCertificates[] client = {rsa, ec};
            try (SSLSocket s = TlsClients.connect(TlsClients.trusting(client), gw.port(), null, List.of("TLSv1.2"),
                    List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))) {
                assertEquals("EC", TlsClients.served(s).getPublicKey().getAlgorithm());
            }
            try (SSLSocket s = TlsClients.connect(TlsClients.trusting(client), gw.port(), null, List.of("TLSv1.2"),
                    List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))) {
                assertEquals("RSA", TlsClients.served(s).getPublicKey().getAlgorithm());
            }
        }
    }

    @Test
    void renewedCertificateIsServedWithoutRestartAndABrokenOneIsNot() throws Exception {
        Path live = Files.createDirectory(dir.resolve("live"));
        TlsTestCertificates first = TlsTestCertificates.create(live, "", "RSA", "first.test.example");
        TlsTestCertificates renewed = TlsTestCertificates.create(Files.createDirectory(dir.resolve("renewal")), "", "RSA",
                "renewed.test.example");
        try (TestGateway gw = TestGateway.builder(dir.resolve("data"))
                .yaml(listener("starttls", first, "      reload-interval: 100ms\n")).start()) {
            MeterRegistry registry = gw.runtime().injector().getInstance(MeterRegistry.class);
            TlsTestCertificates[] client = {first, renewed};
            assertEquals(first.x509.getNotAfter().getTime() / 1000.0,
                    registry.get("moat.tls.certificate.expiry").tags("listener", "test", "certificate", "0").gauge().value());
            assertEquals("CN=first.test.example", startTlsSubject(gw, client));

            // as certbot does: new files in place of the old ones
            Files.copy(renewed.key, first.key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.certificate, first.certificate, StandardCopyOption.REPLACE_EXISTING);
            LimitsSupport.eventually(Duration.ofSeconds(10), "the renewed certificate is served",
                    () -> startTlsSubject(gw, client).equals("CN=renewed.test.example"));
            assertTrue(registry.get("moat.tls.certificate.reloads").tags("listener", "test", "result", "success")
                    .counter().count() >= 1);
            assertEquals(renewed.x509.getNotAfter().getTime() / 1000.0,
                    registry.get("moat.tls.certificate.expiry").tags("listener", "test", "certificate", "0").gauge().value(),
                    "the expiry gauge follows the certificate in use");

            double failures = registry.get("moat.tls.certificate.reloads").tags("listener", "test", "result", "failure")
                    .counter().count();
            Files.writeString(first.certificate, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            LimitsSupport.eventually(Duration.ofSeconds(10), "the broken certificate is counted",
                    () -> registry.get("moat.tls.certificate.reloads").tags("listener", "test", "result", "failure")
                            .counter().count() > failures);
            assertEquals("CN=renewed.test.example", startTlsSubject(gw, client), "the previous certificate stays");
        }
    }

    /** STARTTLS on the listener and the subject of the certificate presented. */
    private static String startTlsSubject(TestGateway gw, TlsTestCertificates[] trusted) throws Exception {
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            c.reply();
            c.send("EHLO client.example\r\n").reply();
            String ready = c.command("STARTTLS");
            assertTrue(ready.startsWith("220 "), ready);
            // a new client context each time, so that no session is resumed
            SSLContext client = TlsClients.trusting(trusted);
            SSLSocket ssl = (SSLSocket) client.getSocketFactory().createSocket(c.socket(), "127.0.0.1", gw.port(), true);
            ssl.setUseClientMode(true);
            ssl.startHandshake();
            c.use(ssl);
            return TlsClients.served(ssl).getSubjectX500Principal().getName();
        }
    }
}
