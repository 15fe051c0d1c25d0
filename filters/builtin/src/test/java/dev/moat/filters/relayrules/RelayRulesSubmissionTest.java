package dev.moat.filters.relayrules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.smtp.TlsTestCertificates;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.commons.codec.digest.Crypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * relay-rules with a submission listener: the filter sees the AUTH identity, so an authenticated user
 * may relay to any domain (unless {@code authenticated-may-relay: false}), while the same recipient
 * from an unauthenticated client on port 25 is refused.
 */
class RelayRulesSubmissionTest {

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    private TestGateway start(String relaySetting) throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "ann@ours.test:{SHA512-CRYPT}"
                + Crypt.crypt("ann's password".getBytes(StandardCharsets.UTF_8), "$6$q1w2e3r4$") + "\n");
        String yaml = "listeners:\n"
                + "  - name: mx\n    address: 127.0.0.1:0\n"
                + "  - name: subs\n    address: 127.0.0.1:0\n    role: submissions\n"
                + "    tls: {mode: implicit, certificate: \"" + certs.certificate + "\", key: \"" + certs.key + "\"}\n"
                + "auth: {users-file: \"" + users + "\"}\n"
                + "filters:\n  - name: relay\n    type: relay-rules\n    accepted-domains: [ours.test]\n" + relaySetting
                + "routes:\n  - domains: [\"*\"]\n    mode: capture\n";
        return TestGateway.builder(dir.resolve("data")).yaml(yaml).start();
    }

    private RawSmtp authenticated(TestGateway gw) throws Exception {
        int port = gw.address("subs").getPort();
        RawSmtp c = RawSmtp.connect(port);
        c.use(certs.handshake(c.socket(), port));
        c.reply();
        c.send("EHLO client.example\r\n").reply();
        String token = Base64.getEncoder().encodeToString("\0ann@ours.test\0ann's password".getBytes(StandardCharsets.UTF_8));
        assertEquals("235 2.7.0 Authentication successful", c.command("AUTH PLAIN " + token));
        return c;
    }

    @Test
    void anAuthenticatedUserMayRelayAnAnonymousClientMayNot() throws Exception {
        try (TestGateway gw = start("")) {
            try (RawSmtp c = RawSmtp.connect(gw.address("mx").getPort())) {
                c.reply();
                c.send("EHLO client.example\r\n").reply();
                assertTrue(c.command("MAIL FROM:<ann@ours.test>").startsWith("250 "));
                assertEquals("554 5.7.1 Relay access denied", c.command("RCPT TO:<friend@other.test>"));
            }
            try (RawSmtp c = authenticated(gw)) {
                assertTrue(c.command("MAIL FROM:<ann@ours.test>").startsWith("250 "));
                assertEquals("250 2.1.5 Recipient <friend@other.test> OK", c.command("RCPT TO:<friend@other.test>"));
                assertTrue(c.command("DATA").startsWith("354 "));
                assertTrue(c.command("From: ann@ours.test\r\n\r\nhello\r\n.").startsWith("250 2.0.0 Ok: queued as "));
            }
            assertEquals(1, gw.capture().list().size());
        }
    }

    @Test
    void authenticatedRelayCanBeSwitchedOff() throws Exception {
        try (TestGateway gw = start("    authenticated-may-relay: false\n"); RawSmtp c = authenticated(gw)) {
            assertTrue(c.command("MAIL FROM:<ann@ours.test>").startsWith("250 "));
            assertEquals("554 5.7.1 Relay access denied", c.command("RCPT TO:<friend@other.test>"));
            assertTrue(c.command("RCPT TO:<colleague@ours.test>").startsWith("250 "));
        }
    }
}
