package dev.moat.core.relay;

import static dev.moat.core.relay.RelaySupport.BYE;
import static dev.moat.core.relay.RelaySupport.GO_AHEAD;
import static dev.moat.core.relay.RelaySupport.assertReceivedPlus;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.deliveredId;
import static dev.moat.core.relay.RelaySupport.mailOk;
import static dev.moat.core.relay.RelaySupport.rcptOk;
import static dev.moat.core.relay.RelaySupport.routes;
import static dev.moat.core.relay.RelaySupport.stuff;
import static dev.moat.core.relay.RelaySupport.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.relay.RelaySupport.Route;
import dev.moat.core.relay.ScriptedNextHop.Line;
import dev.moat.core.relay.ScriptedNextHop.Message;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The happy paths of in-line relaying, checked on the wire at a scripted next hop. */
class InlineRelayDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    ScriptedNextHop hop;

    @BeforeEach
    void hop() throws Exception {
        hop = ScriptedNextHop.start();
    }

    @AfterEach
    void stop() {
        hop.close();
    }

    private TestGateway gateway() throws Exception {
        return TestGateway.builder(dir).yaml(routes(Route.inline("a.test", hop.url()))).start();
    }

    /** Leading dots, a lone dot line, 8-bit bytes, tabs, trailing blanks, an empty last line, a 998-octet line. */
    private static final String TRICKY = "From: <s@x.test>\r\n"
            + "To: <r@a.test>\r\n"
            + "Subject: exact  \r\n"
            + "Message-ID: <exact@x.test>\r\n"
            + "X-Folded: one\r\n\ttwo\r\n"
            + "\r\n"
            + ".leading dot\r\n"
            + "..two leading dots\r\n"
            + ".\r\n"
            + "...\r\n"
            + "caf\u00e9 \u00fcber 8-bit\r\n"
            + "\tindented\r\n"
            + "trailing blanks   \r\n"
            + "x".repeat(998) + "\r\n"
            + "\r\n";

    @Test
    void messageArrivesByteForByteAfterMoatsReceivedFieldAndIsDotStuffedOnTheWire() throws Exception {
        int size = TRICKY.length();
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test> SIZE=" + size + " BODY=8BITMIME"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(TRICKY));
            String reply = c.lastLine();
            String id = deliveredId(reply);
            assertTrue(reply.endsWith("via next hop: Ok: queued as HOP1"), reply);
            assertEquals(BYE, c.command("QUIT"));

            assertTrue(hop.awaitAllClosed(WAIT));
            List<Message> messages = hop.messages();
            assertEquals(1, messages.size());
            Message m = messages.get(0);
            String atHop = m.text();
            String received = assertReceivedPlus(atHop, TRICKY, id);
            assertTrue(received.contains("\r\n\tfor <r@a.test>;\r\n\t"), received);
            // On the wire: every line starting with "." got one more, and the data ends with CRLF.CRLF.
            assertArrayEquals(RelaySupport.bytes(stuff(atHop) + ".\r\n"), m.raw());
            assertTrue(m.rawText().contains("\r\n..leading dot\r\n...two leading dots\r\n..\r\n....\r\ncaf\u00e9"), m.rawText());
            assertEquals("MAIL FROM:<s@x.test> SIZE=" + size + " BODY=8BITMIME", m.mailFrom());
            assertEquals(List.of("r@a.test"), m.recipients());
            assertEquals(List.of("EHLO", "MAIL", "RCPT", "DATA", "QUIT"), hop.connection(0).verbs());
            assertEquals("EHLO " + RelaySupport.HOST, hop.connection(0).commands().get(0));
            Line mail = hop.connection(0).lines.get(1);
            assertTrue(mail.pipelined(), "the next hop offers PIPELINING: MAIL and RCPT go in one write");
            assertTrue(gw.capture().list().isEmpty(), "an inline route keeps nothing on the gateway");
            assertEquals(0, gw.spoolFiles());
        }
    }

    @Test
    void withoutSizeAnd8bitmimeTheMailCommandCarriesNoParametersAndNothingIsPipelined() throws Exception {
        hop.keywords(); // a bare ESMTP server: no PIPELINING, SIZE or 8BITMIME
        String message = "Subject: plain\r\n\r\nbody\r\n";
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test> SIZE=" + message.length() + " BODY=8BITMIME"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(message));
            String id = deliveredId(c.lastLine());
            Message m = hop.messages().get(0);
            assertEquals("MAIL FROM:<s@x.test>", m.mailFrom());
            assertReceivedPlus(m.text(), message, id);
            assertTrue(hop.lines().stream().noneMatch(Line::pipelined),
                    "without PIPELINING Moat must wait for each reply: " + hop.lines());
        }
    }

    @Test
    void onlySizeAdvertisedGivesOnlySize() throws Exception {
        hop.keywords("SIZE 1000000");
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test> BODY=8BITMIME SIZE=42"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire("Subject: s\r\n\r\nb\r\n"));
            deliveredId(c.lastLine());
            assertEquals("MAIL FROM:<s@x.test> SIZE=42", hop.messages().get(0).mailFrom());
        }
    }

    @Test
    void nullSenderIsRelayedAsNullSender() throws Exception {
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals("250 2.1.0 Sender <> OK", c.command("MAIL FROM:<>"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire("Subject: bounce\r\n\r\nb\r\n"));
            deliveredId(c.lastLine());
            assertEquals("MAIL FROM:<>", hop.messages().get(0).mailFrom());
        }
    }

    /** One recipient of three is unknown at the next hop: its RCPT gets the next hop's 550, the others one copy. */
    @ParameterizedTest(name = "refused recipient at position {0}")
    @ValueSource(ints = {0, 1, 2})
    void oneOfThreeRecipientsRefusedByTheNextHop(int refused) throws Exception {
        List<String> rcpts = List.of("one@a.test", "two@a.test", "three@a.test");
        String bad = rcpts.get(refused);
        hop.rcptReply(bad, "550 5.1.1 <" + bad + ">: Recipient address rejected: User unknown in local recipient table");
        String message = "Subject: three\r\n\r\nhello\r\n";
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            for (String r : rcpts) {
                String reply = c.command("RCPT TO:<" + r + ">");
                if (r.equals(bad)) {
                    assertEquals("550 5.1.1 Recipient refused by next hop: 550 <" + bad
                            + ">: Recipient address rejected: User unknown in local recipient table", reply);
                } else {
                    assertEquals(rcptOk(r), reply);
                }
            }
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(message));
            String id = deliveredId(c.lastLine());
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(hop.awaitAllClosed(WAIT));

            assertEquals(1, hop.connections().size());
            List<String> accepted = rcpts.stream().filter(r -> !r.equals(bad)).toList();
            assertEquals(3, hop.connection(0).verbs().stream().filter("RCPT"::equals).count());
            List<Message> messages = hop.messages();
            assertEquals(1, messages.size(), "delivered once");
            assertEquals(accepted, messages.get(0).recipients(), "exactly the two accepted recipients");
            String received = assertReceivedPlus(messages.get(0).text(), message, id);
            assertFalse(received.contains("for <"), "two recipients: no 'for' clause: " + received);
            assertTrue(gw.capture().list().isEmpty());
        }
    }

    @Test
    void allRecipientsRefusedMeansNoDataAtTheNextHop() throws Exception {
        hop.rcptReply("x@a.test", "550 5.1.1 no such user");
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals("550 5.1.1 Recipient refused by next hop: 550 no such user", c.command("RCPT TO:<x@a.test>"));
            String data = c.command("DATA");
            assertTrue(data.startsWith("5"), "no recipients, no DATA: " + data);
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(hop.awaitAllClosed(WAIT));
            assertFalse(hop.sawVerb("DATA"));
            assertTrue(hop.messages().isEmpty());
        }
    }

    @Test
    void nextHopSessionIsReusedForTheClientsNextTransaction() throws Exception {
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            String id1 = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", "Subject: one\r\n\r\n1\r\n"));
            String id2 = deliveredId(RelaySupport.send(c, "t@x.test", "q@a.test", "Subject: two\r\n\r\n2\r\n"));
            assertNotEquals(id1, id2);
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(hop.awaitAllClosed(WAIT));

            assertEquals(1, hop.connections().size(), "one TCP connection at the next hop for both messages");
            ScriptedNextHop.Connection conn = hop.connection(0);
            assertEquals(2, conn.messages.size());
            assertEquals(List.of("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT"), conn.verbs());
            assertReceivedPlus(conn.messages.get(0).text(), "Subject: one\r\n\r\n1\r\n", id1);
            assertReceivedPlus(conn.messages.get(1).text(), "Subject: two\r\n\r\n2\r\n", id2);
            assertEquals(List.of("q@a.test"), conn.messages.get(1).recipients());
            assertTrue(conn.quit, "the client's QUIT is mirrored");
        }
    }

    @Test
    void clientRsetIsMirroredBeforeTheNextMailAndQuitAtTheEnd() throws Exception {
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("dropped@a.test"), c.command("RCPT TO:<dropped@a.test>"));
            assertEquals("250 2.0.0 OK", c.command("RSET"));
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "kept@a.test", "Subject: after rset\r\n\r\nb\r\n"));
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(hop.awaitAllClosed(WAIT));

            ScriptedNextHop.Connection conn = hop.connection(0);
            assertEquals(List.of("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "DATA", "QUIT"), conn.verbs());
            assertEquals(1, hop.messages().size());
            assertEquals(List.of("kept@a.test"), hop.messages().get(0).recipients());
            assertReceivedPlus(hop.messages().get(0).text(), "Subject: after rset\r\n\r\nb\r\n", id);
            assertTrue(conn.quit);
        }
    }

    @Test
    void ehloInTheMiddleOfATransactionLeadsToRsetAtTheNextHop() throws Exception {
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("dropped@a.test"), c.command("RCPT TO:<dropped@a.test>"));
            // No DATA, no RSET: a new EHLO ends the client's transaction (RFC 5321 §4.1.4); the next hop's
            // half-done transaction must still be reset before the new MAIL.
            c.send("EHLO client.example\r\n");
            assertTrue(c.reply().startsWith("250"));
            deliveredId(RelaySupport.send(c, "s@x.test", "kept@a.test", "Subject: again\r\n\r\nb\r\n"));
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(hop.awaitAllClosed(WAIT));
            List<String> verbs = hop.connection(0).verbs();
            assertEquals(List.of("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "DATA", "QUIT"), verbs);
            assertEquals(List.of("kept@a.test"), hop.messages().get(0).recipients());
        }
    }

    @Test
    void pipelinedClientTransactionsAreBothDeliveredWithRepliesInOrder() throws Exception {
        String m1 = "Subject: first\r\n\r\nbody one\r\n.dot\r\n";
        String m2 = "Subject: second\r\n\r\nbody two\r\n";
        String tx1 = "MAIL FROM:<s@x.test>\r\nRCPT TO:<r@a.test>\r\nDATA\r\n" + wire(m1);
        String tx2 = "MAIL FROM:<s@x.test>\r\nRCPT TO:<q@a.test>\r\nDATA\r\n" + wire(m2);
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            c.send(tx1 + tx2 + "NOOP\r\nQUIT\r\n");
            List<String> replies = c.replies(10);
            assertEquals(List.of(mailOk("s@x.test"), rcptOk("r@a.test"), GO_AHEAD), replies.subList(0, 3));
            String id1 = deliveredId(replies.get(3));
            assertEquals(List.of(mailOk("s@x.test"), rcptOk("q@a.test"), GO_AHEAD), replies.subList(4, 7));
            String id2 = deliveredId(replies.get(7));
            assertEquals(List.of("250 2.0.0 OK", BYE), replies.subList(8, 10));
            assertTrue(c.closedByServer());

            assertTrue(hop.awaitAllClosed(WAIT));
            List<Message> messages = hop.messages();
            assertEquals(2, messages.size());
            assertReceivedPlus(messages.get(0).text(), m1, id1);
            assertReceivedPlus(messages.get(1).text(), m2, id2);
            assertEquals(List.of("r@a.test"), messages.get(0).recipients());
            assertEquals(List.of("q@a.test"), messages.get(1).recipients());
            assertEquals(1, hop.connections().size());
        }
    }

    @Test
    void nextHopRefusingEhloGetsHeloAndPlainMail() throws Exception {
        hop.ehloReply("502 5.5.2 Error: command not recognized");
        String message = "Subject: helo\r\n\r\nb\r\n";
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test> SIZE=30 BODY=8BITMIME"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(message));
            String id = deliveredId(c.lastLine());
            assertEquals(List.of("EHLO", "HELO", "MAIL", "RCPT", "DATA"), hop.connection(0).verbs());
            assertEquals("HELO " + RelaySupport.HOST, hop.connection(0).commands().get(1));
            assertEquals("MAIL FROM:<s@x.test>", hop.messages().get(0).mailFrom());
            assertReceivedPlus(hop.messages().get(0).text(), message, id);
        }
    }

    /** About 3 MB with a dot-line every few lines, so stuffing meets every buffer boundary on the way. */
    @Test
    void largeMessageWithManyDotLinesArrivesExactly() throws Exception {
        StringBuilder b = new StringBuilder("Subject: large\r\n\r\n");
        for (int i = 0; b.length() < 3_000_000; i++) {
            switch (i % 7) {
                case 0 -> b.append(".").append(i).append("\r\n");
                case 1 -> b.append("..").append("z".repeat(i % 200)).append("\r\n");
                case 2 -> b.append(".\r\n");
                case 3 -> b.append("line ").append(i).append(' ').append("w".repeat(i % 900)).append("\r\n");
                case 4 -> b.append("\r\n");
                default -> b.append("x").append(".".repeat(i % 50)).append("\r\n");
            }
        }
        String message = b.toString();
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", message));
            Message m = hop.messages().get(0);
            assertReceivedPlus(m.text(), message, id);
            assertArrayEquals(RelaySupport.bytes(stuff(m.text()) + ".\r\n"), m.raw());
        }
    }
}
