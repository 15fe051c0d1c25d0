package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code mode: implicit} listener (SMTPS): TLS from the first byte. */
class TlsImplicitTest {

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    @Test
    void bannerAndMessageOverImplicitTls() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("implicit")).start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            SSLSocket ssl = certs.handshake(c.socket(), gw.port());
            c.use(ssl);
            assertEquals("220 mx.test.example ESMTP Moat", c.lastLine());
            String ehlo = c.send("EHLO client.example\r\n").reply();
            assertTrue(ehlo.startsWith("250-mx.test.example"), ehlo);
            assertFalse(ehlo.contains("STARTTLS"), "no STARTTLS on an implicit-TLS listener: " + ehlo);

            String id = LimitsSupport.queuedId(LimitsSupport.sendTransaction(c, "b@y.test", "Subject: smtps\r\n\r\nbody"));
            String eml = Files.readString(gw.capture().find(id).orElseThrow().emlFile(), StandardCharsets.ISO_8859_1);
            assertTrue(eml.contains("(Moat) with ESMTPS id " + id + "\r\n\t(using " + ssl.getSession().getProtocol()
                    + " with cipher " + ssl.getSession().getCipherSuite() + ")\r\n"), eml);
            assertTrue(eml.endsWith("\r\nSubject: smtps\r\n\r\nbody\r\n"), eml);
            assertEquals(Optional.of(ssl.getSession().getProtocol()), gw.capture().readEnvelope(id).tlsProtocol());
            assertEquals("221 2.0.0 mx.test.example Service closing transmission channel", c.command("QUIT"));
        }
    }

    @Test
    void plaintextClientOnImplicitTlsListenerGetsNoPlaintextDialogue() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("implicit")).start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.send("EHLO client.example\r\n");
            c.timeout(5000);
            String got = c.drain();
            assertFalse(got.contains("220"), "plaintext banner on an implicit-TLS listener: " + got);
            assertFalse(got.contains("250"), "plaintext reply on an implicit-TLS listener: " + got);
            assertTrue(c.closedByServer(), "the server must close a connection that does not speak TLS");
            assertEquals(0, gw.capture().list().size());
        }
    }

    /** On an implicit-TLS listener the 421 of the connection limiter is sent over TLS, then the connection closes. */
    @Test
    void connectionOverTheLimitGets421OverTls() throws Exception {
        String yaml = certs.listenerYaml("implicit") + "limits:\n  max-connections: 1\n  max-connections-per-ip: 1\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp first = RawSmtp.connect(gw.port())) {
            first.use(certs.handshake(first.socket(), gw.port()));
            assertEquals("220 mx.test.example ESMTP Moat", first.lastLine());
            try (RawSmtp second = RawSmtp.connect(gw.port())) {
                second.use(certs.handshake(second.socket(), gw.port()));
                second.timeout(5000);
                assertEquals("421 4.7.0 mx.test.example Too many connections, try again later", second.lastLine());
                assertTrue(second.closedByServer());
            }
            assertEquals("250 2.0.0 OK", first.command("NOOP"));
        }
    }
}
