package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the listeners refuse in TLS: protocol versions below 1.2, suites without AEAD or forward
 * secrecy; and that the server's order of suites wins. Old versions are tested with a hand-made
 * ClientHello, since the JDK's own client no longer offers them.
 */
class TlsHardeningTest {

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    /**
     * A TLS ClientHello record offering {@code version} (0x0301 = TLS 1.0, 0x0302 = TLS 1.1) with
     * suites those versions can use, without the supported_versions extension.
     */
    static byte[] clientHello(int version) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version);
        for (int i = 0; i < 32; i++) {
            body.write(i); // client random
        }
        body.write(0); // no session id
        int[] suites = {0xC02F, 0xC013, 0xC014, 0x002F, 0x0035, 0x000A, 0x0005};
        body.write(0);
        body.write(suites.length * 2);
        for (int s : suites) {
            body.write(s >> 8);
            body.write(s);
        }
        body.write(1); // compression methods: null only
        body.write(0);
        // extensions: supported_groups (secp256r1), ec_point_formats (uncompressed), signature_algorithms (rsa_pkcs1_sha256)
        byte[] extensions = {0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
            0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x01};
        body.write(0);
        body.write(extensions.length);
        body.writeBytes(extensions);
        byte[] hello = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(new byte[] {0x16, 0x03, 0x01});
        int handshakeLength = hello.length + 4;
        record.write(handshakeLength >> 8);
        record.write(handshakeLength);
        record.write(0x01); // ClientHello
        record.write(0);
        record.write(hello.length >> 8);
        record.write(hello.length);
        record.writeBytes(hello);
        return record.toByteArray();
    }

    /** Sends the hello and reads the server's first record header and two bytes: for an alert, its level and code. */
    static byte[] firstRecord(Socket socket, byte[] hello) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(hello);
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] head = new byte[7];
        try {
            new DataInputStream(in).readFully(head);
        } catch (EOFException e) {
            return new byte[0]; // closed without a word: refused as well
        }
        return head;
    }

    private static void assertRefused(byte[] record) {
        if (record.length == 0) {
            return;
        }
        assertEquals(0x15, record[0], "expected an alert record, got content type " + record[0]);
        assertEquals(2, record[5], "fatal");
        assertTrue(record[6] == 70 || record[6] == 40, "protocol_version (70) or handshake_failure (40), got " + record[6]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0301, 0x0302})
    void tls10And11AreRefusedOnTheImplicitListener(int version) throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("implicit")).start();
                Socket socket = new Socket("127.0.0.1", gw.port())) {
            socket.setSoTimeout(10_000);
            assertRefused(firstRecord(socket, clientHello(version)));
            socket.close();
            Thread.sleep(200); // let the server side finish with the connection
        } finally {
            root.detachAppender(log);
        }
        // a failed handshake is the client's doing: no ERROR (with a stack trace) that anyone could provoke
        assertTrue(log.list.stream().noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR),
                () -> "ERROR logged: " + log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                        .map(e -> e.getFormattedMessage()).toList());
    }

    @Test
    void theHandMadeHelloIsAnsweredWithAServerHelloForTls12() throws Exception {
        // the same hello with version TLS 1.2 gets a handshake record: the refusals above are about the version
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("implicit")).start();
                Socket socket = new Socket("127.0.0.1", gw.port())) {
            socket.setSoTimeout(10_000);
            byte[] record = firstRecord(socket, clientHello(0x0303));
            assertEquals(0x16, record[0], "handshake record expected");
            assertEquals(0x02, record[5], "ServerHello expected");
        }
    }

    @Test
    void tls11IsRefusedAfterStartTls() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("starttls")).start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.reply();
            c.send("EHLO client.example\r\n").reply();
            assertEquals("220 2.0.0 Ready to start TLS", c.command("STARTTLS"));
            assertRefused(firstRecord(c.socket(), clientHello(0x0302)));
        }
    }

    @Test
    void aJdkClientLimitedToTls11CannotConnect() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("implicit")).start()) {
            assertThrows(SSLHandshakeException.class, () -> TlsClients.connect(certs.clientContext(), gw.port(), null,
                    List.of("TLSv1.1"), null).close());
        }
    }

    @Test
    void cbcSuitesAreRefusedAndTheServersOrderWins() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("implicit")).start()) {
            assertThrows(SSLHandshakeException.class, () -> TlsClients.connect(certs.clientContext(), gw.port(), null,
                    List.of("TLSv1.2"), List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
                            "TLS_RSA_WITH_AES_128_GCM_SHA256")).close());
            try (SSLSocket s = TlsClients.connect(certs.clientContext(), gw.port(), null, List.of("TLSv1.2"),
                    List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))) {
                assertEquals("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", s.getSession().getCipherSuite());
            }
            try (SSLSocket s = TlsClients.connect(certs.clientContext(), gw.port(), null, null, null)) {
                assertEquals("TLSv1.3", s.getSession().getProtocol());
                assertEquals("TLS_AES_256_GCM_SHA384", s.getSession().getCipherSuite());
            }
        }
    }

    @Test
    void theEngineOffersOnlyTheHardenedSet() throws Exception {
        var tls = new ServerTls("x", dev.moat.core.config.TlsConfig.of(dev.moat.core.config.TlsMode.IMPLICIT,
                certs.certificate, certs.key), "listeners[0].tls", new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        var engine = tls.sslHandler().engine();
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, engine.getEnabledProtocols());
        assertArrayEquals(ServerTls.CIPHER_SUITES.toArray(String[]::new), engine.getEnabledCipherSuites());
        assertTrue(engine.getSSLParameters().getUseCipherSuitesOrder());
    }
}
