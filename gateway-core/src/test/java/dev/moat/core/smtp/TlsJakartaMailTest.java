package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.TestGateway;
import jakarta.activation.CommandMap;
import jakarta.activation.DataHandler;
import jakarta.activation.MailcapCommandMap;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real client library (Jakarta Mail / Angus) through a STARTTLS listener, STARTTLS required. */
class TlsJakartaMailTest {

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
        // James drags com.sun.mail:javax.mail 1.6.2 onto the classpath; its META-INF/mailcap names
        // javax.activation content handlers, which Jakarta Activation may pick and then fail to cast.
        // Name Angus Mail's handlers explicitly (programmatic entries win over mailcap files).
        MailcapCommandMap map = new MailcapCommandMap();
        for (String type : new String[] {"text/plain", "text/html", "text/xml", "multipart/*", "message/rfc822"}) {
            String handler = switch (type) {
                case "text/plain" -> "text_plain";
                case "text/html" -> "text_html";
                case "text/xml" -> "text_xml";
                case "multipart/*" -> "multipart_mixed";
                default -> "message_rfc822";
            };
            map.addMailcap(type + ";; x-java-content-handler=org.eclipse.angus.mail.handlers." + handler);
        }
        CommandMap.setDefaultCommandMap(map);
    }

    @AfterAll
    static void restoreCommandMap() {
        CommandMap.setDefaultCommandMap(null);
    }

    @Test
    void multipartMessageWithAttachmentArrivesByteForByte() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(certs.listenerYaml("starttls")).start()) {
            Properties props = new Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", Integer.toString(gw.port()));
            props.put("mail.smtp.localhost", "client.example");
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
            props.put("mail.smtp.ssl.socketFactory", certs.socketFactory());
            props.put("mail.smtp.ssl.checkserveridentity", "true");
            props.put("mail.smtp.connectiontimeout", "5000");
            props.put("mail.smtp.timeout", "10000");
            Session session = Session.getInstance(props);

            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("alice@x.test"));
            message.setRecipients(Message.RecipientType.TO, "bob@y.test, carol@y.test");
            message.setSubject("Report with attachment");
            MimeBodyPart text = new MimeBodyPart();
            // A line starting with "." exercises dot-stuffing in both directions.
            text.setText("Hello Bob,\n.hidden line starting with a dot\n..two dots\n.\nthe report is attached.\n", "UTF-8");
            MimeBodyPart attachment = new MimeBodyPart();
            byte[] payload = new byte[20_000];
            new Random(42).nextBytes(payload);
            attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(payload, "application/octet-stream")));
            attachment.setFileName("report.bin");
            MimeMultipart multipart = new MimeMultipart();
            multipart.addBodyPart(text);
            multipart.addBodyPart(attachment);
            message.setContent(multipart);
            message.saveChanges();

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            message.writeTo(expected);

            // sendMessage (not Transport.send) so that saveChanges is not run again (new Message-ID).
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect();
                transport.sendMessage(message, message.getAllRecipients());
            }

            List<StoredMessage> stored = gw.capture().list();
            assertEquals(1, stored.size());
            StoredMessage m = stored.get(0);
            CapturedEnvelope envelope = gw.capture().readEnvelope(m.id());
            assertEquals("alice@x.test", envelope.sender());
            assertEquals(List.of("bob@y.test", "carol@y.test"), envelope.recipients());
            assertTrue(envelope.tlsProtocol().isPresent(), "STARTTLS was required, so the session was encrypted");

            byte[] eml = Files.readAllBytes(m.emlFile());
            byte[] body = afterReceivedHeader(eml);
            byte[] want = crlf(expected.toByteArray());
            assertEquals(want.length, body.length, "length of the stored message after Received");
            assertArrayEquals(want, body);
        }
    }

    /** The bytes after the leading {@code Received:} field (its first line and every continuation line). */
    private static byte[] afterReceivedHeader(byte[] eml) {
        String text = new String(eml, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("Received: from client.example ([127.0.0.1])\r\n"), text.substring(0, Math.min(200, text.length())));
        int pos = text.indexOf("\r\n") + 2;
        while (text.charAt(pos) == '\t' || text.charAt(pos) == ' ') {
            pos = text.indexOf("\r\n", pos) + 2;
        }
        String received = text.substring(0, pos);
        assertTrue(received.contains(" with ESMTPS id "), received);
        assertTrue(received.contains("(using TLSv1."), received);
        return text.substring(pos).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Every line ending (CRLF, bare LF, bare CR) as CRLF. */
    private static byte[] crlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
