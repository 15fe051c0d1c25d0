package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.TestGateway;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real mail client (Jakarta Mail / Angus) submitting on 587 with STARTTLS and AUTH, and on 465. */
class SubmissionJakartaMailTest {

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    private Session session(int port, boolean implicit, boolean startTls) throws Exception {
        Properties props = new Properties();
        String p = implicit ? "mail.smtps." : "mail.smtp.";
        props.put(p + "host", "127.0.0.1");
        props.put(p + "port", Integer.toString(port));
        props.put(p + "localhost", "client.example");
        props.put(p + "auth", "true");
        props.put(p + "starttls.enable", Boolean.toString(startTls));
        props.put(p + "ssl.socketFactory", certs.socketFactory());
        props.put(p + "connectiontimeout", "5000");
        props.put(p + "timeout", "10000");
        return Session.getInstance(props);
    }

    private static MimeMessage message(Session session, String from) throws MessagingException {
        // Parsed from bytes, so that no content handler is needed (James puts javax.mail's on the class path).
        String raw = "From: " + from + "\r\nTo: carol@elsewhere.example\r\nSubject: submitted\r\n\r\nHello\r\n";
        return new MimeMessage(session, new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void startTlsThenAuthThenSend() throws Exception {
        Path users = SubmissionSupport.usersFile(dir);
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(SubmissionSupport.yaml(certs, users, "")).start()) {
            Session session = session(gw.address("sub").getPort(), false, true);
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect("alice@example.com", SubmissionSupport.ALICE_PASSWORD);
                MimeMessage m = message(session, "alice@example.com");
                transport.sendMessage(m, m.getAllRecipients());
            }
            assertEquals(1, gw.capture().list().size());
            String eml = Files.readString(gw.capture().list().get(0).emlFile(), StandardCharsets.ISO_8859_1);
            assertTrue(eml.contains(" with ESMTPSA id "), eml);

            Session implicit = session(gw.address("subs").getPort(), true, false);
            try (Transport transport = implicit.getTransport("smtps")) {
                assertThrows(AuthenticationFailedException.class,
                        () -> transport.connect("alice@example.com", "not the password"));
            }
        }
    }

    @Test
    void aClientThatDoesNotUpgradeCannotAuthenticate() throws Exception {
        Path users = SubmissionSupport.usersFile(dir);
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(SubmissionSupport.yaml(certs, users, "")).start()) {
            Session session = session(gw.address("sub").getPort(), false, false);
            try (Transport transport = session.getTransport("smtp")) {
                // Without STARTTLS no AUTH is advertised: the client connects but cannot log in,
                // and sending is refused with 530.
                transport.connect("alice@example.com", SubmissionSupport.ALICE_PASSWORD);
                MimeMessage m = message(session, "alice@example.com");
                MessagingException e = assertThrows(MessagingException.class, () -> transport.sendMessage(m, m.getAllRecipients()));
                assertTrue(String.valueOf(e.getMessage()).contains("530 5.7.0 Must issue a STARTTLS command first"), e.toString());
            }
            assertEquals(0, gw.capture().list().size());
        }
    }
}
