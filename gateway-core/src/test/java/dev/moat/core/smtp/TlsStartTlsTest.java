package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A {@code mode: starttls} listener: advertising, the upgrade, RFC 3207 rules and injection (CVE-2011-0411). */
class TlsStartTlsTest {

    private static final String READY = "220 2.0.0 Ready to start TLS";

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    private TestGateway start() throws Exception {
        return TestGateway.builder(dir).yaml(certs.listenerYaml("starttls")).start();
    }

    private static List<String> keywords(String ehloReply) {
        String[] lines = ehloReply.split("\r\n");
        return Arrays.stream(lines).skip(1).map(l -> l.substring(4)).toList();
    }

    @Test
    void upgradeRequiresAFreshEhloAndTheMessageRecordsTls() throws Exception {
        try (TestGateway gw = start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals("220 mx.test.example ESMTP Moat", c.lastLine());
            String ehlo = c.send("EHLO client.example\r\n").reply();
            assertTrue(keywords(ehlo).contains("STARTTLS"), ehlo);
            assertEquals(READY, c.command("STARTTLS"));

            SSLSocket ssl = certs.handshake(c.socket(), gw.port());
            c.use(ssl);
            SSLSession tls = ssl.getSession();
            assertTrue(tls.getProtocol().equals("TLSv1.3") || tls.getProtocol().equals("TLSv1.2"), tls.getProtocol());

            // RFC 3207 §4.2: the client must say EHLO again; the pre-TLS one does not count.
            assertEquals("503 5.5.1 Send EHLO again after STARTTLS", c.command("MAIL FROM:<a@x.test>"));
            String ehloTls = c.send("EHLO client.example\r\n").reply();
            assertTrue(ehloTls.startsWith("250-mx.test.example"), ehloTls);
            assertFalse(keywords(ehloTls).contains("STARTTLS"), "STARTTLS must not be offered over TLS: " + ehloTls);
            assertTrue(keywords(ehloTls).contains("PIPELINING"), ehloTls);

            String id = LimitsSupport.queuedId(LimitsSupport.sendTransaction(c, "b@y.test", "Subject: tls\r\n\r\nsecret"));
            StoredMessage stored = gw.capture().find(id).orElseThrow();
            String eml = Files.readString(stored.emlFile(), StandardCharsets.ISO_8859_1);
            Matcher m = Pattern.compile("^Received: from client\\.example \\(\\[127\\.0\\.0\\.1\\]\\)\r\n"
                    + "\tby mx\\.test\\.example \\(Moat\\) with ESMTPS id " + Pattern.quote(id) + "\r\n"
                    + "\t\\(using (TLSv1\\.[23]) with cipher (\\S+)\\)\r\n"
                    + "\tfor <b@y\\.test>;\r\n\t[^\r\n]+\r\nSubject: tls\r\n\r\nsecret\r\n$").matcher(eml);
            assertTrue(m.matches(), eml);
            assertEquals(tls.getProtocol(), m.group(1));
            assertEquals(tls.getCipherSuite(), m.group(2));

            CapturedEnvelope envelope = gw.capture().readEnvelope(id);
            assertEquals(Optional.of(tls.getProtocol()), envelope.tlsProtocol());
            assertEquals(Optional.of(tls.getCipherSuite()), envelope.tlsCipher());
            String json = Files.readString(stored.jsonFile(), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"tlsProtocol\""), json);
            assertTrue(json.contains(tls.getProtocol()), json);

            assertTrue(c.command("STARTTLS").startsWith("500 5.5.1 TLS already active"));
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
            assertEquals("221 2.0.0 mx.test.example Service closing transmission channel", c.command("QUIT"));
        }
    }

    @Test
    void plaintextMessageOnStartTlsListenerIsRecordedWithoutTls() throws Exception {
        try (TestGateway gw = start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            String id = LimitsSupport.queuedId(LimitsSupport.sendMessage(c, "b@y.test", "Subject: plain\r\n\r\nx"));
            String eml = Files.readString(gw.capture().find(id).orElseThrow().emlFile(), StandardCharsets.ISO_8859_1);
            assertTrue(eml.contains("\tby mx.test.example (Moat) with ESMTP id " + id + "\r\n\tfor <b@y.test>;"), eml);
            assertFalse(eml.contains("using TLS"), eml);
            assertEquals(Optional.empty(), gw.capture().readEnvelope(id).tlsProtocol());
        }
    }

    /** Commands pipelined after STARTTLS in the same packet must never be executed (CVE-2011-0411). */
    @ParameterizedTest
    @ValueSource(strings = {"STARTTLS\r\nNOOP\r\n", "starttls\r\nRSET\r\nMAIL FROM:<evil@x.test>\r\n"})
    void commandsInjectedAfterStartTlsAreNotExecuted(String injection) throws Exception {
        try (TestGateway gw = start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            c.send(injection);
            assertEquals(READY, c.lastLine());

            c.use(certs.handshake(c.socket(), gw.port()));
            c.timeout(1000);
            assertThrows(SocketTimeoutException.class, c::reply, "a reply to an injected command arrived over TLS");

            c.timeout(10_000);
            String ehlo = c.send("EHLO client.example\r\n").reply();
            assertTrue(ehlo.startsWith("250-mx.test.example Hello client.example"), ehlo);
            // The injected MAIL (if any) did not open a transaction either.
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
        }
    }

    /** A refused STARTTLS (malformed) leaves the client in plaintext with a working dialogue. */
    @Test
    void startTlsWithArgumentIsRefusedAndTheSessionGoesOnInPlaintext() throws Exception {
        try (TestGateway gw = start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertTrue(c.command("STARTTLS now").startsWith("501 5.5.4 "));
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
        }
    }

    /**
     * "STARTTLS" ended by a bare LF is refused (500 5.5.2, Moat does not take bare-LF commands); the
     * client must be able to go on in plaintext, as with any other refused command.
     */
    @Test
    void startTlsEndedByBareLfIsRefusedAndTheSessionGoesOn() throws Exception {
        try (TestGateway gw = start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertEquals("500 5.5.2 Syntax error: command not terminated by CRLF", c.send("STARTTLS\n").lastLine());
            c.timeout(3000);
            assertEquals("250 2.0.0 OK", c.command("NOOP"), "the session must go on after a refused STARTTLS");
        }
    }
}
