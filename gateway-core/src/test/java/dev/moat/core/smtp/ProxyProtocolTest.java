package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HAProxy PROXY protocol v1/v2: only trusted proxies, and the proxied client is the one Moat sees. */
class ProxyProtocolTest {

    @TempDir
    Path dir;

    private static final String V1 = "PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n";

    private TestGateway start(String trusted, String extra) throws Exception {
        return TestGateway.builder(dir.resolve("data")).yaml("listeners:\n  - name: lb\n    address: 127.0.0.1:0\n"
                + "    proxy-protocol: true\n    trusted-proxies: [" + trusted + "]\n" + extra).start();
    }

    /** A v2 header: PROXY command, TCP over IPv4, from {@code source}:{@code port}. */
    static byte[] v2(byte[] source, int port) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.write(0x21); // version 2, PROXY
        b.write(0x11); // TCP over IPv4
        b.write(0);
        b.write(12);
        b.writeBytes(source);
        b.writeBytes(new byte[] {(byte) 192, 0, 2, 1});
        b.write(port >> 8);
        b.write(port);
        b.write(0);
        b.write(25);
        return b.toByteArray();
    }

    private static double refused(TestGateway gw, String reason) {
        MeterRegistry registry = gw.runtime().injector().getInstance(MeterRegistry.class);
        return registry.get("moat.smtp.proxy.refused").tags("listener", "lb", "reason", reason).counter().count();
    }

    @Test
    void aTrustedProxysClientIsWhatMoatSeesAndRecords() throws Exception {
        try (TestGateway gw = start("\"127.0.0.0/8\"", ""); RawSmtp c = RawSmtp.connect(gw.port())) {
            // the header and the first command in one write: nothing is lost behind the header
            c.send(V1 + "EHLO client.example\r\n");
            assertEquals("220 mx.test.example ESMTP Moat", c.lastLine());
            String ehlo = c.reply();
            assertTrue(ehlo.startsWith("250-mx.test.example Hello client.example [203.0.113.9]"), ehlo);
            String id = LimitsSupport.queuedId(LimitsSupport.sendTransaction(c, "b@y.test", "Subject: p\r\n\r\nbody"));
            String eml = Files.readString(gw.capture().find(id).orElseThrow().emlFile(), StandardCharsets.ISO_8859_1);
            assertTrue(eml.startsWith("Received: from client.example ([203.0.113.9])\r\n"), eml);
        }
    }

    @Test
    void version2HeadersWork() throws Exception {
        try (TestGateway gw = start("\"127.0.0.1\"", ""); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.send(v2(new byte[] {(byte) 198, 51, 100, 77}, 50000));
            assertEquals("220 mx.test.example ESMTP Moat", c.lastLine());
            assertTrue(c.send("EHLO c.example\r\n").reply().contains("[198.51.100.77]"));
        }
    }

    @Test
    void aConnectionFromAnUntrustedAddressIsClosedWithoutAWord() throws Exception {
        try (TestGateway gw = start("\"10.0.0.0/8\"", ""); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.send(V1);
            assertEquals("", c.drain(), "nothing is said to an untrusted peer");
            LimitsSupport.eventually(java.time.Duration.ofSeconds(5), "the refusal counted", () -> refused(gw, "untrusted") == 1);
        }
    }

    @Test
    void aMissingOrBrokenHeaderClosesTheConnection() throws Exception {
        try (TestGateway gw = start("\"127.0.0.1\"", "")) {
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                c.send("EHLO client.example\r\n");
                assertEquals("", c.drain());
            }
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                c.send("PROXY TCP4 not-an-ip 192.0.2.1 1 25\r\n");
                assertEquals("", c.drain());
            }
            // Netty's decoder closes at once; the count follows on the event loop
            LimitsSupport.eventually(java.time.Duration.ofSeconds(5), "both refusals counted", () -> refused(gw, "header") == 2);
        }
    }

    @Test
    void aHeaderThatNeverComesTimesOut() throws Exception {
        try (TestGateway gw = start("\"127.0.0.1\"", "limits:\n  command-timeout: 300ms\n"); RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.closedByServer());
            LimitsSupport.eventually(java.time.Duration.ofSeconds(5), "the refusal counted", () -> refused(gw, "header") == 1);
        }
    }

    @Test
    void connectionLimitsCountTheProxiedClient() throws Exception {
        try (TestGateway gw = start("\"127.0.0.1\"", "limits:\n  max-connections-per-ip: 1\n");
                RawSmtp a = RawSmtp.connect(gw.port()); RawSmtp b = RawSmtp.connect(gw.port());
                RawSmtp c = RawSmtp.connect(gw.port())) {
            a.send("PROXY TCP4 203.0.113.1 192.0.2.1 1000 25\r\n");
            assertTrue(a.lastLine().startsWith("220 "));
            b.send("PROXY TCP4 203.0.113.2 192.0.2.1 1000 25\r\n");
            assertTrue(b.lastLine().startsWith("220 "), "another client behind the same proxy");
            c.send("PROXY TCP4 203.0.113.1 192.0.2.1 1001 25\r\n");
            assertEquals("421 4.7.0 mx.test.example Too many connections from your address, try again later", c.lastLine());
        }
    }

    @Test
    void implicitTlsBehindTheProxy() throws Exception {
        TlsTestCertificates certs = TlsTestCertificates.create(Files.createDirectory(dir.resolve("certs")));
        String yaml = "listeners:\n  - name: lb\n    address: 127.0.0.1:0\n    proxy-protocol: true\n"
                + "    trusted-proxies: [\"127.0.0.1\"]\n"
                + "    tls: {mode: implicit, certificate: \"" + certs.certificate + "\", key: \"" + certs.key + "\"}\n";
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.send(V1);
            SSLSocket ssl = certs.handshake(c.socket(), gw.port());
            c.use(ssl);
            assertEquals("220 mx.test.example ESMTP Moat", c.lastLine());
            assertTrue(c.send("EHLO client.example\r\n").reply().contains("[203.0.113.9]"));
        }
    }
}
