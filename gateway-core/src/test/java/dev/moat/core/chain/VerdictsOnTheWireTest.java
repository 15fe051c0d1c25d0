package dev.moat.core.chain;

import static dev.moat.core.chain.ChainTestSupport.afterReceived;
import static dev.moat.core.chain.ChainTestSupport.data;
import static dev.moat.core.chain.ChainTestSupport.eml;
import static dev.moat.core.chain.ChainTestSupport.json;
import static dev.moat.core.chain.ChainTestSupport.only;
import static dev.moat.core.chain.ChainTestSupport.open;
import static dev.moat.core.chain.ChainTestSupport.queuedId;
import static dev.moat.core.chain.ChainTestSupport.texts;
import static dev.moat.core.chain.ChainTestSupport.transaction;
import static dev.moat.core.chain.ChainTestSupport.verdicts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verdict at every stage where it means something, through a real gateway: the exact reply
 * lines, whether the connection stays, and what ends up in the capture store and the quarantine
 * (bytes and JSON, including the verdict trail).
 */
class VerdictsOnTheWireTest {

    private static final String MESSAGE = "From: a@x.test\r\nSubject: verdicts\r\n\r\nbody\r\n";

    @TempDir
    Path dir;

    private TestGateway start(String yaml) throws Exception {
        return TestGateway.builder(dir).filterType(ScriptedFilter.factory()).yaml(yaml).start();
    }

    private static String scripted(String settings) {
        return "filters:\n  - {name: s, type: scripted, timeout: 5s, " + settings + "}\n";
    }

    private static void assertNothingStored(TestGateway gw) throws Exception {
        assertEquals(List.of(), gw.capture().list(), "capture store");
        assertEquals(List.of(), gw.quarantine().list(), "quarantine");
        assertEquals(0, gw.spoolFiles(), "spool files");
    }

    // ---------------------------------------------------------------------------------------------
    // connect

    @Test
    void rejectAtConnectReplacesTheBannerWithTheCustomReplyAndCloses() throws Exception {
        try (TestGateway gw = start(scripted("connect: \"reject 554 5.7.1 go away\""));
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals("554 5.7.1 go away\r\n", c.reply());
            assertTrue(c.closedByServer(), "connection must be closed after a refused greeting");
        }
    }

    /**
     * RFC 5321 §4.3.2 allows only 220 or 554 as the greeting (and 421 for a transient refusal, which
     * the gateway already maps). A plain {@code Verdict.reject(text)} carries 550, which is not a valid
     * greeting code; the gateway should send 554 with the filter's enhanced code and text.
     */
    @Test
    void defaultRejectAtConnectIsSentAs554() throws Exception {
        try (TestGateway gw = start(scripted("connect: \"reject go away\""));
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals("554 5.7.1 go away", c.lastLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void tempfailAtConnectIsSentAs421AndCloses() throws Exception {
        try (TestGateway gw = start(scripted("connect: \"tempfail 450 4.2.0 busy now\""));
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals("421 4.2.0 busy now\r\n", c.reply());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void defaultTempfailAtConnectIsSentAs421WithItsEnhancedCode() throws Exception {
        try (TestGateway gw = start(scripted("connect: \"tempfail later please\""));
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals("421 4.7.1 later please", c.lastLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void nextAtConnectGreetsNormally() throws Exception {
        try (TestGateway gw = start(scripted("connect: next")); RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 mx.test.example ESMTP"));
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
        }
    }

    /**
     * Verdict's contract: "Any of them can be followed by andDisconnect(): the reply is sent, then the
     * connection is closed." At connect, the reply to an accept is the 220 greeting.
     */
    @Test
    void acceptAndDisconnectAtConnectSendsTheGreetingThenCloses() throws Exception {
        try (TestGateway gw = start(scripted("connect: \"accept!\"")); RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 mx.test.example ESMTP"));
            c.timeout(2000);
            assertTrue(c.closedByServer(), "accept().andDisconnect() at connect must close after the greeting");
        }
    }

    /** "A discard or quarantine given before DATA applies to the whole transaction" - also when given at connect. */
    @Test
    void discardAtConnectAppliesToTheConnectionsTransactions() throws Exception {
        try (TestGateway gw = start(scripted("connect: discard")); RawSmtp c = open(gw.port())) {
            queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertNothingStored(gw);
        }
    }

    @Test
    void quarantineAtConnectAppliesToTheConnectionsTransactions() throws Exception {
        try (TestGateway gw = start(scripted("connect: \"quarantine known bad client\"")); RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertEquals(List.of(), gw.capture().list(), "a connection quarantined at connect must not deliver");
            JsonNode env = json(only(gw.quarantine(), id));
            assertEquals("known bad client", env.get("quarantineReason").asText());
        }
    }

    /** docs/capture-store.md shows a connect-stage verdict in a stored message's trail. */
    @Test
    void acceptAtConnectIsRecordedInTheTrail() throws Exception {
        try (TestGateway gw = start(scripted("connect: accept")); RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertEquals(List.of("s/scripted/connect/accept/"), verdicts(json(only(gw.capture(), id))));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // helo

    @Test
    void rejectAtHeloRefusesThatHeloButKeepsTheConnection() throws Exception {
        try (TestGateway gw = start(scripted("helo: \"reject 550 5.7.1 bad helo\", helo-match: bad.example"));
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 "));
            assertEquals("550 5.7.1 bad helo\r\n", c.send("EHLO bad.example\r\n").reply());
            assertEquals("550 5.7.1 bad helo", c.command("HELO bad.example"));
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
            assertTrue(c.command("EHLO good.example").startsWith("250 "));
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            JsonNode env = json(only(gw.capture(), id));
            assertEquals("good.example", env.get("helo").asText());
        }
    }

    @Test
    void rejectAndDisconnectAtHeloClosesAfterTheReply() throws Exception {
        try (TestGateway gw = start(scripted("helo: \"reject! 550 5.7.1 go\""));
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 "));
            assertEquals("550 5.7.1 go", c.command("EHLO client.example"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void discardAtHeloAppliesToTheFollowingTransaction() throws Exception {
        try (TestGateway gw = start(scripted("helo: discard")); RawSmtp c = open(gw.port())) {
            queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertNothingStored(gw);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // mailFrom

    @Test
    void rejectAtMailFromWithCustomReplyRefusesTheTransactionOnly() throws Exception {
        try (TestGateway gw = start(scripted("mail-from: \"reject 553 5.7.1 nope\", mail-match: bad@x.test"));
                RawSmtp c = open(gw.port())) {
            assertEquals("553 5.7.1 nope\r\n", c.send("MAIL FROM:<bad@x.test>\r\n").reply());
            assertTrue(c.command("RCPT TO:<b@y.test>").startsWith("503 "), "no transaction after a refused MAIL");
            String id = queuedId(transaction(c, "good@x.test", List.of("b@y.test"), MESSAGE));
            JsonNode env = json(only(gw.capture(), id));
            assertEquals("good@x.test", env.get("sender").asText());
            assertEquals(List.of(), verdicts(env));
        }
    }

    @Test
    void tempfailAtMailFromUsesTheFiltersReply() throws Exception {
        try (TestGateway gw = start(scripted("mail-from: \"tempfail 451 4.7.1 greylisted\""));
                RawSmtp c = open(gw.port())) {
            assertEquals("451 4.7.1 greylisted", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
        }
    }

    @Test
    void rejectAndDisconnectAtMailFromClosesAfterTheReply() throws Exception {
        try (TestGateway gw = start(scripted("mail-from: \"reject! 550 5.7.1 bye\"")); RawSmtp c = open(gw.port())) {
            assertEquals("550 5.7.1 bye", c.command("MAIL FROM:<a@x.test>"));
            assertTrue(c.closedByServer());
            assertNothingStored(gw);
        }
    }

    @Test
    void discardAtMailFromAppliesToTheWholeTransaction() throws Exception {
        try (TestGateway gw = start(scripted("mail-from: discard")); RawSmtp c = open(gw.port())) {
            queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertNothingStored(gw);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // rcptTo

    @Test
    void tempfailAtRcptToIsSentExactlyAndOtherRecipientsStillPass() throws Exception {
        try (TestGateway gw = start(scripted("rcpt-to: \"tempfail 450 4.2.0 later\", rcpt-match: later@y.test"));
                RawSmtp c = open(gw.port())) {
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("450 4.2.0 later\r\n", c.send("RCPT TO:<later@y.test>\r\n").reply());
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
            String id = queuedId(data(c, MESSAGE));
            JsonNode env = json(only(gw.capture(), id));
            assertEquals(List.of("b@y.test"), texts(env.get("recipients")));
        }
    }

    @Test
    void rejectAtRcptToWithDefaultReply() throws Exception {
        try (TestGateway gw = start(scripted("rcpt-to: \"reject no such user\", rcpt-match: nobody@y.test"));
                RawSmtp c = open(gw.port())) {
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("550 5.7.1 no such user", c.command("RCPT TO:<nobody@y.test>"));
            assertTrue(c.command("DATA").startsWith("503 "), "DATA without an accepted recipient");
        }
    }

    @Test
    void withoutAFilterARecipientOutsideTheRoutesIsRelayDenied() throws Exception {
        String routes = "routes:\n  - {domains: [example.com], mode: capture}\n";
        try (TestGateway gw = start(routes); RawSmtp c = open(gw.port())) {
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<b@other.test>"));
            assertEquals("250 2.1.5 Recipient <b@example.com> OK", c.command("RCPT TO:<b@example.com>"));
        }
    }

    @Test
    void acceptAtRcptToVouchesForADomainOnlyTheCatchAllInlineRouteCovers() throws Exception {
        // A filter's accept is what lets a recipient through a catch-all inline route (a smarthost);
        // a domain no route covers at all cannot be delivered anywhere and is refused either way.
        String yaml = "routes:\n  - {domains: [example.com], mode: capture}\n"
                + scripted("rcpt-to: accept, rcpt-match: b@other.test");
        try (TestGateway gw = start(yaml); RawSmtp c = open(gw.port())) {
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<c@other.test>"));
            assertEquals("550 5.7.1 No route to this domain", c.command("RCPT TO:<b@other.test>"));
            assertEquals("250 2.1.5 Recipient <d@example.com> OK", c.command("RCPT TO:<d@example.com>"));
            String id = queuedId(data(c, MESSAGE));
            JsonNode env = json(only(gw.capture(), id));
            assertEquals(List.of("d@example.com"), texts(env.get("recipients")));
        }
    }

    @Test
    void quarantineAtRcptToAppliesToTheWholeTransaction() throws Exception {
        try (TestGateway gw = start(scripted("rcpt-to: \"quarantine rcpt said so\", rcpt-match: q@y.test"));
                RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("a@y.test", "q@y.test", "c@y.test"), MESSAGE));
            assertEquals(List.of(), gw.capture().list());
            StoredMessage m = only(gw.quarantine(), id);
            JsonNode env = json(m);
            assertEquals(List.of("a@y.test", "q@y.test", "c@y.test"), texts(env.get("recipients")));
            assertEquals("rcpt said so", env.get("quarantineReason").asText());
            assertEquals(List.of("s/scripted/rcptTo/quarantine/rcpt said so"), verdicts(env));
            assertEquals(MESSAGE, afterReceived(eml(m), id, null));
        }
    }

    @Test
    void acceptAndDisconnectAtRcptToAnswers250ThenCloses() throws Exception {
        try (TestGateway gw = start(scripted("rcpt-to: \"accept!\"")); RawSmtp c = open(gw.port())) {
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
            assertTrue(c.closedByServer());
            assertNothingStored(gw);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // data

    @Test
    void rejectAtDataSendsTheReplyAndStoresNothing() throws Exception {
        try (TestGateway gw = start("limits: {memory-buffer: 0}\n" + scripted("data: \"reject 554 5.7.1 spam\""));
                RawSmtp c = open(gw.port())) {
            assertEquals("554 5.7.1 spam", transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertNothingStored(gw);
            assertEquals("250 2.0.0 OK", c.command("RSET"));
        }
    }

    @Test
    void tempfailAtDataSendsTheReplyAndStoresNothing() throws Exception {
        try (TestGateway gw = start(scripted("data: \"tempfail 452 4.3.1 disk full\"")); RawSmtp c = open(gw.port())) {
            assertEquals("452 4.3.1 disk full", transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertNothingStored(gw);
        }
    }

    @Test
    void discardAtDataAnswersLikeADeliveryAndStoresNothingAnywhere() throws Exception {
        try (TestGateway gw = start("limits: {memory-buffer: 0}\n" + scripted("data: discard"));
                RawSmtp c = open(gw.port())) {
            String reply = transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE);
            assertTrue(reply.matches("250 2\\.0\\.0 Ok: queued as [A-Za-z0-9._-]+"), reply);
            assertNothingStored(gw);
        }
    }

    @Test
    void quarantineAtDataKeepsTheMessageInTheQuarantineOnly() throws Exception {
        try (TestGateway gw = start(scripted("data: \"quarantine held for review\"")); RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertEquals(List.of(), gw.capture().list());
            StoredMessage m = only(gw.quarantine(), id);
            JsonNode env = json(m);
            assertEquals(id, env.get("id").asText());
            assertEquals("held for review", env.get("quarantineReason").asText());
            assertEquals("a@x.test", env.get("sender").asText());
            assertEquals(List.of("b@y.test"), texts(env.get("recipients")));
            assertEquals(List.of("s/scripted/data/quarantine/held for review"), verdicts(env));
            assertEquals(MESSAGE, afterReceived(eml(m), id, "b@y.test"));
            assertEquals(0, gw.spoolFiles());
        }
    }

    @Test
    void quarantineAndDisconnectAtDataAnswers250StoresAndCloses() throws Exception {
        try (TestGateway gw = start(scripted("data: \"quarantine! bye\"")); RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertTrue(c.closedByServer());
            assertEquals("bye", json(only(gw.quarantine(), id)).get("quarantineReason").asText());
        }
    }

    @Test
    void acceptAtDataDeliversAndIsRecorded() throws Exception {
        try (TestGateway gw = start(scripted("data: accept")); RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            JsonNode env = json(only(gw.capture(), id));
            assertEquals(List.of("s/scripted/data/accept/"), verdicts(env));
            assertTrue(env.get("quarantineReason").isNull());
            assertEquals(List.of(), gw.quarantine().list());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // several filters

    @Test
    void theFirstVerdictOtherThanNextEndsTheStageAndTheTrailKeepsTheOrder() throws Exception {
        String yaml = "filters:\n"
                + "  - {name: first, type: scripted, mail-from: accept, data: next}\n"
                + "  - {name: second, type: scripted, mail-from: \"reject 550 5.7.1 never reached\","
                + " rcpt-to: accept, rcpt-match: b@y.test, data: \"quarantine second says so\"}\n"
                + "  - {name: third, type: scripted, data: \"reject 554 5.7.1 never reached\"}\n";
        try (TestGateway gw = start(yaml); RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test", "c@y.test"), MESSAGE));
            JsonNode env = json(only(gw.quarantine(), id));
            assertEquals(List.of(
                    "first/scripted/mailFrom/accept/",
                    "second/scripted/rcptTo/accept/",
                    "second/scripted/data/quarantine/second says so"), verdicts(env));
            assertEquals("second says so", env.get("quarantineReason").asText());
        }
    }

    @Test
    void theNextTransactionOnTheSameConnectionStartsWithAnEmptyTrail() throws Exception {
        try (TestGateway gw = start(scripted("mail-from: \"quarantine first only\", mail-match: first@x.test"));
                RawSmtp c = open(gw.port())) {
            String q = queuedId(transaction(c, "first@x.test", List.of("b@y.test"), MESSAGE));
            String d = queuedId(transaction(c, "second@x.test", List.of("b@y.test"), MESSAGE));
            assertEquals(List.of("s/scripted/mailFrom/quarantine/first only"), verdicts(json(only(gw.quarantine(), q))));
            JsonNode env = json(only(gw.capture(), d));
            assertEquals(List.of(), verdicts(env));
            assertTrue(env.get("quarantineReason").isNull());
        }
    }
}
