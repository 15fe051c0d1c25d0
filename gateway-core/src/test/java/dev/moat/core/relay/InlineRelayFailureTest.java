package dev.moat.core.relay;

import static dev.moat.core.relay.RelaySupport.BYE;
import static dev.moat.core.relay.RelaySupport.GO_AHEAD;
import static dev.moat.core.relay.RelaySupport.UNAVAILABLE_TEXT;
import static dev.moat.core.relay.RelaySupport.assertReceivedPlus;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.deliveredId;
import static dev.moat.core.relay.RelaySupport.mailOk;
import static dev.moat.core.relay.RelaySupport.rcptOk;
import static dev.moat.core.relay.RelaySupport.routes;
import static dev.moat.core.relay.RelaySupport.wire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.relay.RelaySupport.Route;
import dev.moat.core.relay.ScriptedNextHop.Message;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The next hop down, slow, closing or refusing: the client gets its verdict or a 4xx, never a false 250. */
class InlineRelayFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String MESSAGE = "Subject: t\r\n\r\nbody\r\n";

    @TempDir
    Path dir;

    private TestGateway gateway(Route... routes) throws Exception {
        return TestGateway.builder(dir).yaml(routes(routes)).start();
    }

    @Test
    void nextHopDownGives451AtRcptAndNothingIsKept() throws Exception {
        try (TestGateway gw = gateway(Route.inline("a.test", "smtp://127.0.0.1:" + ScriptedNextHop.deadPort()));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals("451 4.4.1 " + UNAVAILABLE_TEXT, c.command("RCPT TO:<r@a.test>"));
            String data = c.command("DATA");
            assertTrue(data.startsWith("5"), "no accepted recipient, no DATA: " + data);
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(gw.capture().list().isEmpty(), "nothing may be stored on the gateway");
            assertTrue(gw.quarantine().list().isEmpty());
            assertEquals(0, gw.spoolFiles());
        }
    }

    @Test
    void allNextHopsDownGives451() throws Exception {
        try (TestGateway gw = gateway(Route.inline("a.test", "smtp://127.0.0.1:" + ScriptedNextHop.deadPort(),
                "smtp://127.0.0.1:" + ScriptedNextHop.deadPort()));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals("451 4.4.1 " + UNAVAILABLE_TEXT, c.command("RCPT TO:<r@a.test>"));
        }
    }

    @Test
    void failoverWhenTheFirstNextHopRefusesTheConnection() throws Exception {
        try (ScriptedNextHop second = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", "smtp://127.0.0.1:" + ScriptedNextHop.deadPort(), second.url()));
                RawSmtp c = connect(gw)) {
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            assertEquals(1, second.messages().size());
            assertReceivedPlus(second.messages().get(0).text(), MESSAGE, id);
        }
    }

    @Test
    void failoverWhenTheFirstNextHopGreetsWith421() throws Exception {
        try (ScriptedNextHop first = ScriptedNextHop.start().greeting("421 4.3.2 hop1.test Service not available");
                ScriptedNextHop second = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", first.url(), second.url()));
                RawSmtp c = connect(gw)) {
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            assertEquals(1, first.connections().size(), "the first next hop was tried");
            assertTrue(first.lines().isEmpty(), "after a 421 greeting nothing is said to it: " + first.lines());
            assertTrue(first.messages().isEmpty());
            assertEquals(1, second.messages().size());
            assertReceivedPlus(second.messages().get(0).text(), MESSAGE, id);
        }
    }

    @Test
    void nextHopTempfailAtDataIsMirrored() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().dataReply("452 4.3.1 Insufficient system storage");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            String reply = RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE);
            assertEquals("452 4.3.1 Message refused by next hop: 452 Insufficient system storage", reply);
            assertTrue(hop.messages().isEmpty());
            assertTrue(gw.capture().list().isEmpty());
        }
    }

    /**
     * After the next hop refused DATA its transaction is still open (RFC 5321 §4.1.1.4; Postfix then
     * answers a new MAIL with "503 5.5.1 nested MAIL command"). The client's next transaction on the
     * same connection must nevertheless be delivered: Moat has to reset the next hop's transaction.
     */
    @Test
    void afterTheNextHopRefusedDataTheClientsNextTransactionIsDelivered() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().dataReply("452 4.3.1 Insufficient system storage");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            String reply = RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE);
            assertEquals("452 4.3.1 Message refused by next hop: 452 Insufficient system storage", reply);
            hop.dataReply("354 go ahead");
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"),
                    "next hop transcript: " + hop.lines());
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(MESSAGE));
            deliveredId(c.lastLine());
            assertEquals(1, hop.messages().size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "451 4.3.0 Error: queue file write error|451 4.3.0 Message refused by next hop: 451 Error: queue file write error",
        "452 4.3.1 Insufficient system storage|452 4.3.1 Message refused by next hop: 452 Insufficient system storage",
        "554 5.7.1 spam|554 5.7.1 Message refused by next hop: 554 spam",
        "550 too big for us|550 5.0.0 Message refused by next hop: 550 too big for us"})
    void nextHopVerdictAtEndOfDataIsMirroredThenTheNextTransactionIsDelivered(String hopReply, String clientReply)
            throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().endOfDataReplies(hopReply);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            assertEquals(clientReply, RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            assertTrue(gw.capture().list().isEmpty());
            // the connection to the client goes on
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", "Subject: again\r\n\r\nb\r\n"));
            List<Message> messages = hop.messages();
            assertEquals(2, messages.size(), "the hop saw both messages (the first one it refused)");
            assertReceivedPlus(messages.get(1).text(), "Subject: again\r\n\r\nb\r\n", id);
        }
    }

    @Test
    void nextHopSilentAfterTheFinalDotGives451WithinTheDataTimeout() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().hangAtEndOfData();
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).dataTimeout("1s"));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            long start = System.nanoTime();
            c.send(wire(MESSAGE));
            String reply = c.lastLine();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("451 4.4.2 " + UNAVAILABLE_TEXT, reply);
            assertTrue(millis >= 900 && millis < 3000, "answered after " + millis + " ms");
            assertTrue(gw.capture().list().isEmpty());
            assertTrue(gw.quarantine().list().isEmpty());
            assertEquals(0, gw.spoolFiles());
            assertTrue(hop.awaitAllClosed(WAIT), "the timed-out next-hop session is given up");
        }
    }

    @Test
    void nextHopSilentAtMailGives451WithinTheCommandTimeout() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().hangAt("MAIL");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).commandTimeout("1s"));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            long start = System.nanoTime();
            assertEquals("451 4.4.2 " + UNAVAILABLE_TEXT, c.command("RCPT TO:<r@a.test>"));
            assertTrue((System.nanoTime() - start) / 1_000_000 < 3000);
        }
    }

    @Test
    void nextHopClosingAtDataGives451() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().closeAt("DATA");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            assertEquals("451 4.4.2 " + UNAVAILABLE_TEXT, RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            assertTrue(gw.capture().list().isEmpty());
            // and a new session is opened for the next transaction
            hop.closeAt(null);
            deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            assertEquals(2, hop.connections().size());
        }
    }

    @Test
    void nextHopRefusingTheSenderIsMirroredAtRcpt() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().mailReply("553 5.7.1 <s@x.test>: Sender address rejected");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals("553 5.7.1 Sender refused by next hop: 553 <s@x.test>: Sender address rejected",
                    c.command("RCPT TO:<r@a.test>"));
            assertFalse(hop.sawVerb("DATA"));
        }
    }

    @Test
    void clientDisconnectingMidDataLeavesNoMessageAtTheNextHop() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", hop.url()))) {
            RawSmtp c = connect(gw);
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send("Subject: half\r\n\r\nthe first half of the bo");
            Thread.sleep(200);
            c.close();

            assertTrue(hop.awaitAllClosed(WAIT), "the next-hop session ends with the client's");
            ScriptedNextHop.Connection conn = hop.connection(0);
            assertFalse(conn.verbs().contains("DATA"), "no DATA for a message the client never finished: " + conn.verbs());
            assertTrue(conn.messages.isEmpty());
            assertTrue(conn.quit, "the client's disconnect is mirrored with QUIT: " + conn.verbs());
            assertTrue(ScriptedNextHop.await(() -> {
                try {
                    return gw.spoolFiles() == 0;
                } catch (Exception e) {
                    return false;
                }
            }, WAIT));
            assertTrue(gw.capture().list().isEmpty());
        }
    }

    /** The kept session closed by the next hop between two transactions: one fresh try, then delivered. */
    @Test
    void keptSessionClosedByTheNextHopIsReopened() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            hop.dropConnections(null);
            assertTrue(hop.awaitAllClosed(WAIT));
            Thread.sleep(100);
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", "Subject: 2\r\n\r\nb\r\n"));
            assertEquals(2, hop.connections().size());
            assertEquals(2, hop.messages().size());
            assertReceivedPlus(hop.messages().get(1).text(), "Subject: 2\r\n\r\nb\r\n", id);
        }
    }

    /**
     * The same, but the next hop says goodbye the way Postfix does when its idle timer fires
     * ({@code 421 4.4.2 ... Error: timeout exceeded}, then close): the session is gone and must be
     * reopened, not the 421 passed on as if it were a verdict on the sender.
     */
    @Test
    void keptSessionEndedWith421ByTheNextHopIsReopened() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            hop.dropConnections("421 4.4.2 hop.test Error: timeout exceeded");
            assertTrue(hop.awaitAllClosed(WAIT));
            Thread.sleep(100);
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"), "next hop transcript: " + hop.lines());
        }
    }

    /** Same as above with a next hop that does not pipeline: the 421 is read as the answer to MAIL. */
    @Test
    void keptSessionEndedWith421ByANonPipeliningNextHopIsReopened() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().keywords("SIZE 1000000");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            hop.dropConnections("421 4.4.2 hop.test Error: timeout exceeded");
            assertTrue(hop.awaitAllClosed(WAIT));
            Thread.sleep(100);
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            String rcpt = c.command("RCPT TO:<r@a.test>");
            assertEquals(rcptOk("r@a.test"), rcpt, "next hop transcript: " + hop.lines());
        }
    }

    @Test
    void nextHopThatAcceptsButNeverGreetsIsFailedOverWithinTheConnectTimeout() throws Exception {
        try (ScriptedNextHop silent = ScriptedNextHop.start().greeting(null);
                ScriptedNextHop second = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", silent.url(), second.url()).connectTimeout("1s"));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            long start = System.nanoTime();
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 900 && millis < 3000, "failed over after " + millis + " ms");
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(MESSAGE));
            deliveredId(c.lastLine());
            assertEquals(1, second.messages().size());
            assertEquals(1, silent.connections().size());
        }
    }

    /**
     * A next hop that stops reading in the middle of a large message (a stalled MTA): Moat's writes
     * fill the socket buffers and block. The client must still get a 4xx within about the route's
     * data-timeout, not hang (a blocking socket write has no timeout of its own).
     */
    @Test
    void nextHopStallingWhileTheMessageIsSentGives451WithinTheDataTimeout() throws Exception {
        String big = "Subject: big\r\n\r\n" + ("y".repeat(76) + "\r\n").repeat(12 * 1024 * 1024 / 78);
        try (ScriptedNextHop hop = ScriptedNextHop.start().stallInData();
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).dataTimeout("1s"));
                RawSmtp c = connect(gw)) {
            try {
                assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
                assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
                assertEquals(GO_AHEAD, c.command("DATA"));
                c.send(wire(big));
                long start = System.nanoTime();
                c.timeout(6000);
                String reply;
                try {
                    reply = c.lastLine();
                } catch (java.net.SocketTimeoutException e) {
                    reply = "no reply within 6 s";
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals("451 4.4.2 " + UNAVAILABLE_TEXT, reply, "after " + millis + " ms");
                assertTrue(millis < 4000, "answered after " + millis + " ms");
            } finally {
                hop.close(); // unblocks a stuck writer before the gateway shuts down
            }
        }
    }

    /**
     * A broken next hop that answers DATA with 250 instead of 354 has not received the message; the
     * client must not be told it was delivered (that would lose the mail).
     */
    @Test
    void nextHopAnswering250ToDataIsNoDelivery() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().dataReply("250 2.0.0 Ok");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            String reply = RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE);
            assertTrue(reply.startsWith("4"), "the message never went to the next hop, yet: " + reply);
            assertTrue(hop.messages().isEmpty());
        }
    }

    @Test
    void temporaryRecipientRefusalStaysTemporaryAndMultiLineTextIsQuoted() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start()
                        .rcptReply("grey@a.test", "450-4.2.0 <grey@a.test>: Recipient address rejected:\n450 4.2.0 Greylisted, retry later");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals("450 4.2.0 Recipient refused by next hop: 450 <grey@a.test>: Recipient address rejected:"
                    + " Greylisted, retry later", c.command("RCPT TO:<grey@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(MESSAGE));
            deliveredId(c.lastLine());
            assertEquals(List.of("r@a.test"), hop.messages().get(0).recipients());
        }
    }

    /** The next hop hangs up at the second RCPT: that RCPT gets 451, and the transaction can no longer end in 250. */
    @Test
    void nextHopLostBetweenRecipientsMeansNoFalse250() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().rcptReply("two@a.test", ScriptedNextHop.CLOSE);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()));
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("one@a.test"), c.command("RCPT TO:<one@a.test>"));
            assertEquals("451 4.4.2 " + UNAVAILABLE_TEXT, c.command("RCPT TO:<two@a.test>"));
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(MESSAGE));
            String reply = c.lastLine();
            assertTrue(reply.startsWith("451 4.4."), reply);
            assertTrue(hop.messages().isEmpty());
            assertTrue(gw.capture().list().isEmpty());
            // the next transaction opens a new session
            deliveredId(RelaySupport.send(c, "s@x.test", "one@a.test", MESSAGE));
            assertEquals(2, hop.connections().size());
        }
    }
}
