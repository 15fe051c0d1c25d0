package dev.moat.core.smtp;

import static dev.moat.core.smtp.SubmissionSupport.ALICE_PASSWORD;
import static dev.moat.core.smtp.SubmissionSupport.BOB_PASSWORD;
import static dev.moat.core.smtp.SubmissionSupport.b64;
import static dev.moat.core.smtp.SubmissionSupport.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Submission listeners on the wire: TLS before AUTH, AUTH before MAIL, PLAIN and LOGIN, sender binding. */
class SubmissionAuthTest {

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    private TestGateway start(String authExtra) throws Exception {
        Path users = SubmissionSupport.usersFile(dir);
        return TestGateway.builder(dir.resolve("data")).yaml(SubmissionSupport.yaml(certs, users, authExtra)).start();
    }

    private String mapped() throws Exception {
        return "  sender-logins: \"" + SubmissionSupport.senderLogins(dir) + "\"\n";
    }

    private static void assertStarts(String prefix, String reply) {
        assertTrue(reply.startsWith(prefix), reply);
    }

    private static List<String> keywords(String ehloReply) {
        return Arrays.stream(ehloReply.split("\r\n")).skip(1).map(l -> l.substring(4)).toList();
    }

    @Test
    void beforeStartTlsNeitherAuthNorMailIsPossible() throws Exception {
        try (TestGateway gw = start(""); RawSmtp c = RawSmtp.connect(gw.address("sub").getPort())) {
            c.reply();
            String ehlo = c.send("EHLO client.example\r\n").reply();
            assertTrue(keywords(ehlo).contains("STARTTLS"), ehlo);
            assertTrue(keywords(ehlo).stream().noneMatch(k -> k.startsWith("AUTH")), "AUTH offered in plaintext: " + ehlo);
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD)));
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", c.command("AUTH LOGIN"));
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", c.command("MAIL FROM:<bob@example.com>"));
            // the password sent in plaintext above was not checked: the account is not even counted as failed
            assertStarts("250 ", c.command("NOOP"));
        }
    }

    @Test
    void afterStartTlsAuthIsOfferedAndRequiredBeforeMail() throws Exception {
        try (TestGateway gw = start(mapped()); RawSmtp c = SubmissionSupport.startTls(gw, certs)) {
            String ehlo = c.send("EHLO client.example\r\n").reply();
            assertTrue(keywords(ehlo).contains("AUTH PLAIN LOGIN"), ehlo);
            assertFalse(keywords(ehlo).contains("STARTTLS"), ehlo);
            assertEquals("530 5.7.0 Authentication required", c.command("MAIL FROM:<bob@example.com>"));
            assertEquals("535 5.7.8 Authentication credentials invalid",
                    c.command("AUTH PLAIN " + plain("", "bob", "wrong password")));
            assertEquals("235 2.7.0 Authentication successful", c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD)));
            assertEquals("503 5.5.1 Already authenticated", c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD)));
            assertStarts("250 ", c.command("MAIL FROM:<bob@example.com>"));
            assertStarts("250 ", c.command("RCPT TO:<someone@elsewhere.example>"));
            assertStarts("354 ", c.command("DATA"));
            String id = LimitsSupport.queuedId(c.command("From: bob@example.com\r\nSubject: hi\r\n\r\nbody\r\n."));
            StoredMessage stored = gw.capture().find(id).orElseThrow();
            String eml = Files.readString(stored.emlFile(), StandardCharsets.ISO_8859_1);
            assertTrue(eml.startsWith("Received: from client.example ([127.0.0.1])\r\n\tby mx.test.example (Moat) with ESMTPSA id "),
                    eml);
            assertFalse(eml.contains("Authenticated sender"), "user shown by default: " + eml);
        }
    }

    @Test
    void authLoginWithBcryptUserAndInitialResponseForms() throws Exception {
        try (TestGateway gw = start(""); RawSmtp c = SubmissionSupport.startTls(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            assertEquals("334 VXNlcm5hbWU6", c.command("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", c.command(b64("alice@example.com")));
            assertEquals("535 5.7.8 Authentication credentials invalid", c.command(b64("not her password")));
            assertEquals("334 UGFzc3dvcmQ6", c.command("AUTH LOGIN " + b64("alice@example.com")));
            assertEquals("235 2.7.0 Authentication successful", c.command(b64(ALICE_PASSWORD)));
        }
        try (TestGateway gw = start(""); RawSmtp c = SubmissionSupport.startTls(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            // PLAIN without initial response: an empty 334 challenge, then the response
            assertEquals("334 ", c.send("AUTH PLAIN\r\n").reply().replace("\r\n", ""));
            assertEquals("501 5.0.0 Authentication cancelled", c.command("*"));
            assertEquals("504 5.5.4 Unrecognized authentication type", c.command("AUTH CRAM-MD5"));
            assertEquals("501 5.5.2 Cannot decode the response (base64)", c.command("AUTH PLAIN !!!notbase64"));
            // an authorization identity other than the user is refused even with the right password
            assertEquals("535 5.7.8 Authentication credentials invalid",
                    c.command("AUTH PLAIN " + plain("bob", "alice@example.com", ALICE_PASSWORD)));
            assertEquals("235 2.7.0 Authentication successful",
                    c.command("AUTH PLAIN " + plain("alice@example.com", "alice@example.com", ALICE_PASSWORD)));
        }
    }

    @Test
    void unknownUserAndWrongPasswordGetTheSameReply() throws Exception {
        try (TestGateway gw = start(""); RawSmtp c = SubmissionSupport.startTls(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            String unknown = c.command("AUTH PLAIN " + plain("", "mallory", "whatever"));
            String wrong = c.command("AUTH PLAIN " + plain("", "alice@example.com", "whatever"));
            assertEquals("535 5.7.8 Authentication credentials invalid", unknown);
            assertEquals(unknown, wrong);
        }
    }

    @Test
    void withoutASenderMapAUserMaySendOnlyAsTheLoginName() throws Exception {
        try (TestGateway gw = start(""); RawSmtp c = SubmissionSupport.startTls(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            c.command("AUTH PLAIN " + plain("", "alice@example.com", ALICE_PASSWORD));
            assertEquals("553 5.7.1 Sender address <ceo@example.com> not owned by user alice@example.com",
                    c.command("MAIL FROM:<ceo@example.com>"));
            assertStarts("250 ", c.command("MAIL FROM:<Alice@Example.com>"));
            assertStarts("250 ", c.command("RSET"));
            assertTrue(c.command("MAIL FROM:<>").startsWith("250 "), "the null sender impersonates no one");
        }
    }

    @Test
    void senderLoginMapBindsAddressesAndDomains() throws Exception {
        Path map = SubmissionSupport.senderLogins(dir);
        try (TestGateway gw = start("  sender-logins: \"" + map + "\"\n"); RawSmtp c = SubmissionSupport.startTls(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD));
            assertStarts("250 ", c.command("MAIL FROM:<bob@example.com>"));
            c.command("RSET");
            assertEquals("553 5.7.1 Sender address <alice@example.com> not owned by user bob",
                    c.command("MAIL FROM:<alice@example.com>"));
            assertEquals("553 5.7.1 Sender address <anyone@alice.example> not owned by user bob",
                    c.command("MAIL FROM:<anyone@alice.example>"));
        }
        try (TestGateway gw = start("  sender-logins: \"" + map + "\"\n"); RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            c.command("AUTH PLAIN " + plain("", "alice@example.com", ALICE_PASSWORD));
            assertTrue(c.command("MAIL FROM:<anyone@alice.example>").startsWith("250 "), "a whole domain may be bound");
        }
    }

    @Test
    void implicitTlsListenerOffersAuthAtOnceAndRequiresIt() throws Exception {
        try (TestGateway gw = start(mapped()); RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
            String ehlo = c.send("EHLO client.example\r\n").reply();
            assertTrue(keywords(ehlo).contains("AUTH PLAIN LOGIN"), ehlo);
            assertFalse(keywords(ehlo).contains("STARTTLS"), ehlo);
            assertEquals("530 5.7.0 Authentication required", c.command("MAIL FROM:<bob@example.com>"));
            assertEquals("235 2.7.0 Authentication successful", c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD)));
            assertStarts("250 ", c.command("MAIL FROM:<bob@example.com>"));
        }
    }

    @Test
    void receivedNamesTheUserOnlyWhenConfigured() throws Exception {
        try (TestGateway gw = start(mapped() + "  received-shows-user: true\n"); RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD));
            c.command("MAIL FROM:<bob@example.com>");
            c.command("RCPT TO:<x@elsewhere.example>");
            c.command("DATA");
            String id = LimitsSupport.queuedId(c.command("From: bob@example.com\r\n\r\nbody\r\n."));
            String eml = Files.readString(gw.capture().find(id).orElseThrow().emlFile(), StandardCharsets.ISO_8859_1);
            assertTrue(eml.startsWith("Received: from client.example ([127.0.0.1]) (Authenticated sender: bob)\r\n"
                    + "\tby mx.test.example (Moat) with ESMTPSA id " + id + "\r\n"), eml);
        }
    }

    @Test
    void fromHeaderCheckRefusesAForeignFromAddress() throws Exception {
        Path map = SubmissionSupport.senderLogins(dir);
        try (TestGateway gw = start("  sender-logins: \"" + map + "\"\n  check-from-header: true\n");
                RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD));
            c.command("MAIL FROM:<bob@example.com>");
            c.command("RCPT TO:<x@elsewhere.example>");
            c.command("DATA");
            assertEquals("553 5.7.1 From: address not owned by user bob",
                    c.command("From: \"The Boss\" <alice@example.com>\r\n\r\nbody\r\n."));
            c.command("MAIL FROM:<bob@example.com>");
            c.command("RCPT TO:<x@elsewhere.example>");
            c.command("DATA");
            LimitsSupport.queuedId(c.command("From: Bob <BOB@example.com>\r\n\r\nbody\r\n."));
            assertEquals(1, gw.capture().list().size());
        }
    }
}
