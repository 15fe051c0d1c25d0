package dev.moat.core.relay;

import static dev.moat.core.relay.QueueSupport.queue;
import static dev.moat.core.relay.QueueSupport.queuedId;
import static dev.moat.core.relay.QueueSupport.yaml;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.wire;
import static dev.moat.core.relay.ScriptedNextHop.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.relay.ScriptedNextHop.Message;
import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounces of the queue (RFC 3464 reports, RFC 3461 parameters): to the sender through the route of its
 * domain (here: a capture route, so the report can be read from the capture store; and a queue route).
 */
class QueueDsnTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String MESSAGE = "From: <s@sender.test>\r\nTo: <b@a.test>\r\nSubject: will bounce\r\n"
            + "Message-ID: <bounce1@sender.test>\r\n\r\nsecret body line\r\n";

    @TempDir
    Path dir;

    ScriptedNextHop hop;

    @BeforeEach
    void hop() throws Exception {
        hop = ScriptedNextHop.start();
        hop.rcptReply("b@a.test", "550 5.1.1 <b@a.test>: Recipient address rejected: User unknown");
    }

    @AfterEach
    void stop() {
        hop.close();
    }

    private TestGateway gateway(String schedule, String lifetime, String hopUrl) throws Exception {
        return TestGateway.builder(dir).yaml(yaml("queue", schedule, lifetime, hopUrl)).start();
    }

    private static String transaction(RawSmtp c, String mailFrom, String... rcpts) throws Exception {
        assertTrue(c.command(mailFrom).startsWith("250"));
        for (String r : rcpts) {
            String reply = c.command(r);
            assertTrue(reply.startsWith("250"), reply);
        }
        assertTrue(c.command("DATA").startsWith("354"));
        c.send(wire(MESSAGE));
        return queuedId(c.lastLine());
    }

    private static String read(StoredMessage m) throws Exception {
        return Files.readString(m.emlFile(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aPermanentFailureSendsAReportWithTheOriginalHeaderToTheSender() throws Exception {
        try (TestGateway gw = gateway("[1s]", "1h", hop.url()); RawSmtp c = connect(gw)) {
            String id = transaction(c, "MAIL FROM:<s@sender.test>", "RCPT TO:<a@a.test>", "RCPT TO:<b@a.test>");
            assertTrue(await(() -> gw.capture().list().size() == 1, WAIT), "one DSN");
            assertEquals(1, hop.messages().size());
            assertEquals(List.of("a@a.test"), hop.messages().get(0).recipients());
            StoredMessage dsn = gw.capture().list().get(0);
            CapturedEnvelope env = gw.capture().readEnvelope(dsn.id());
            assertEquals("", env.sender(), "a DSN has the null sender");
            assertEquals(List.of("s@sender.test"), env.recipients());
            String text = read(dsn);
            assertTrue(text.contains("From: Mail Delivery System <MAILER-DAEMON@mx.test.example>\r\n"), text);
            assertTrue(text.contains("To: <s@sender.test>\r\n"), text);
            assertTrue(text.contains("Auto-Submitted: auto-replied\r\n"), text);
            assertTrue(text.contains("Content-Type: multipart/report; report-type=delivery-status;"), text);
            assertTrue(text.contains("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.test.example\r\n"), text);
            assertTrue(text.contains("Received-From-MTA: dns; client.example (127.0.0.1)\r\n"), text);
            assertTrue(text.contains("\r\nFinal-Recipient: rfc822; b@a.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                    + "Remote-MTA: dns; 127.0.0.1\r\n"
                    + "Diagnostic-Code: smtp; 550 5.1.1 <b@a.test>: Recipient address rejected: User unknown\r\n"), text);
            assertFalse(text.contains("Final-Recipient: rfc822; a@a.test"), "only the failed recipient is reported");
            assertTrue(text.contains("Content-Type: text/rfc822-headers\r\n\r\nReceived: from client.example"), text);
            assertTrue(text.contains("Subject: will bounce\r\nMessage-ID: <bounce1@sender.test>\r\n\r\n--"), text);
            assertFalse(text.contains("secret body line"), "without RET=FULL only the header is returned");
            assertTrue(text.contains("Queue id: " + id), text);
            assertTrue(await(() -> queue(gw).size() == 0, WAIT));
        }
    }

    @Test
    void retFullEnvidNotifyAndOrcptAreHonoured() throws Exception {
        try (TestGateway gw = gateway("[1s]", "1h", hop.url()); RawSmtp c = connect(gw)) {
            String ehlo = c.command("EHLO client.example");
            assertTrue(ehlo.contains("250-DSN") || ehlo.contains("250 DSN"), ehlo);
            transaction(c, "MAIL FROM:<s@sender.test> RET=FULL ENVID=QQ314159",
                    "RCPT TO:<b@a.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@a.test");
            assertTrue(await(() -> gw.capture().list().size() == 1, WAIT));
            String text = read(gw.capture().list().get(0));
            assertTrue(text.contains("Original-Envelope-Id: QQ314159\r\n"), text);
            assertTrue(text.contains("Original-Recipient: rfc822;b+2Bx@a.test\r\nFinal-Recipient: rfc822; b@a.test\r\n"), text);
            assertTrue(text.contains("Content-Type: message/rfc822\r\n\r\nReceived: from client.example"), text);
            assertTrue(text.contains("secret body line\r\n"), "RET=FULL returns the whole message");
        }
    }

    @Test
    void notifyNeverMeansNoReport() throws Exception {
        try (TestGateway gw = gateway("[1s]", "1h", hop.url()); RawSmtp c = connect(gw)) {
            transaction(c, "MAIL FROM:<s@sender.test>", "RCPT TO:<b@a.test> NOTIFY=NEVER");
            assertTrue(await(() -> queue(gw).size() == 0, WAIT), "given up");
            assertTrue(hop.sawVerb("RCPT"));
            Thread.sleep(200);
            assertEquals(List.of(), gw.capture().list());
        }
    }

    @Test
    void theNullSenderNeverGetsAReport() throws Exception {
        try (TestGateway gw = gateway("[1s]", "1h", hop.url()); RawSmtp c = connect(gw)) {
            transaction(c, "MAIL FROM:<>", "RCPT TO:<b@a.test>");
            assertTrue(await(() -> queue(gw).size() == 0, WAIT), "given up");
            Thread.sleep(200);
            assertEquals(List.of(), gw.capture().list());
            assertEquals(0, hop.messages().size());
        }
    }

    @Test
    void lifetimeExpiryBouncesWithTheLastError() throws Exception {
        String dead = "smtp://127.0.0.1:" + ScriptedNextHop.deadPort();
        try (TestGateway gw = gateway("[200ms]", "1s", dead); RawSmtp c = connect(gw)) {
            transaction(c, "MAIL FROM:<s@sender.test>", "RCPT TO:<r@a.test>");
            assertTrue(await(() -> gw.capture().list().size() == 1, WAIT), "bounced at the end of the lifetime");
            String text = read(gw.capture().list().get(0));
            assertTrue(text.contains("Final-Recipient: rfc822; r@a.test\r\nAction: failed\r\nStatus: 5.4.7\r\n"), text);
            assertTrue(text.contains("unreachable") && text.contains("(delivery time expired)"), text);
            assertTrue(await(() -> queue(gw).size() == 0, WAIT));
        }
    }

    @Test
    void aReportToADomainOfAQueueRouteGoesOutThroughItsNextHop() throws Exception {
        try (TestGateway gw = gateway("[1s]", "1h", hop.url()); RawSmtp c = connect(gw)) {
            transaction(c, "MAIL FROM:<s@a.test>", "RCPT TO:<b@a.test>");
            assertTrue(await(() -> hop.messages().size() == 1, WAIT), "the DSN reaches the next hop");
            Message dsn = hop.messages().get(0);
            assertEquals("MAIL FROM:<>", dsn.mailFrom());
            assertEquals(List.of("s@a.test"), dsn.recipients());
            assertTrue(dsn.text().contains("Status: 5.1.1"), dsn.text());
        }
    }

    @Test
    void malformedDsnParametersAreRefused() throws Exception {
        try (TestGateway gw = gateway("[1s]", "1h", hop.url()); RawSmtp c = connect(gw)) {
            assertEquals("501 5.5.4 RET must be FULL or HDRS", c.command("MAIL FROM:<s@sender.test> RET=BODY"));
            assertEquals("501 5.5.4 Invalid ENVID parameter", c.command("MAIL FROM:<s@sender.test> ENVID=a=b"));
            assertTrue(c.command("MAIL FROM:<s@sender.test>").startsWith("250"));
            assertEquals("501 5.5.4 Invalid NOTIFY or ORCPT parameter", c.command("RCPT TO:<r@a.test> NOTIFY=NEVER,FAILURE"));
            assertEquals("501 5.5.4 Invalid NOTIFY or ORCPT parameter", c.command("RCPT TO:<r@a.test> NOTIFY=SOMETIMES"));
            assertEquals("501 5.5.4 Invalid NOTIFY or ORCPT parameter", c.command("RCPT TO:<r@a.test> ORCPT=noaddrtype"));
            assertTrue(c.command("RCPT TO:<r@a.test> NOTIFY=delay,failure ORCPT=rfc822;r@a.test").startsWith("250"));
        }
    }
}
