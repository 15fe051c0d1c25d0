package dev.moat.core.relay;

import static dev.moat.core.relay.RelaySupport.BYE;
import static dev.moat.core.relay.RelaySupport.GO_AHEAD;
import static dev.moat.core.relay.RelaySupport.assertReceivedPlus;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.deliveredId;
import static dev.moat.core.relay.RelaySupport.mailOk;
import static dev.moat.core.relay.RelaySupport.rcptOk;
import static dev.moat.core.relay.RelaySupport.routes;
import static dev.moat.core.relay.RelaySupport.wire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.relay.RelaySupport.Route;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One route per inline transaction, and no open relay through an inline catch-all. */
class InlineRelayRoutingTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String OTHER_ROUTE = "452 4.5.3 Recipient goes to another route; send it in a separate transaction";
    private static final String RELAY_DENIED = "550 5.7.1 Relay access denied";

    @TempDir
    Path dir;

    @Test
    void recipientOfASecondRouteGets452AndArrivesInItsOwnTransaction() throws Exception {
        try (ScriptedNextHop hop1 = ScriptedNextHop.start(); ScriptedNextHop hop2 = ScriptedNextHop.start();
                TestGateway gw = TestGateway.builder(dir)
                        .yaml(routes(Route.inline("a.test", hop1.url()), Route.inline("b.test", hop2.url()))).start();
                RawSmtp c = connect(gw)) {
            String m1 = "Subject: for a\r\n\r\na\r\n";
            String m2 = "Subject: for b\r\n\r\nb\r\n";
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(rcptOk("x@a.test"), c.command("RCPT TO:<x@a.test>"));
            assertEquals(OTHER_ROUTE, c.command("RCPT TO:<y@b.test>"));
            assertEquals(rcptOk("z@a.test"), c.command("RCPT TO:<z@a.test>"), "the first route still takes its own");
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire(m1));
            String id1 = deliveredId(c.lastLine());

            String id2 = deliveredId(RelaySupport.send(c, "s@x.test", "y@b.test", m2));
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(hop1.awaitAllClosed(WAIT));
            assertTrue(hop2.awaitAllClosed(WAIT));

            assertEquals(1, hop1.messages().size());
            assertEquals(List.of("x@a.test", "z@a.test"), hop1.messages().get(0).recipients());
            assertTrue(hop1.lines().stream().noneMatch(l -> l.text().contains("b.test")),
                    "the second route's recipient never reaches the first next hop: " + hop1.lines());
            assertReceivedPlus(hop1.messages().get(0).text(), m1, id1);

            assertEquals(1, hop2.messages().size());
            assertEquals(List.of("y@b.test"), hop2.messages().get(0).recipients());
            assertReceivedPlus(hop2.messages().get(0).text(), m2, id2);
            assertEquals(List.of("EHLO", "MAIL", "RCPT", "DATA", "QUIT"), hop2.connection(0).verbs());
            assertTrue(hop1.connection(0).quit, "the first route's session is ended politely");
            assertTrue(gw.capture().list().isEmpty());
        }
    }

    @Test
    void inlineCatchAllWithoutAFilterIsNoOpenRelay() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start();
                TestGateway gw = TestGateway.builder(dir).yaml(routes(Route.inline("\"*\"", hop.url()))).start();
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(RELAY_DENIED, c.command("RCPT TO:<victim@elsewhere.test>"));
            assertEquals(RELAY_DENIED, c.command("RCPT TO:<postmaster@a.test>"));
            assertEquals(BYE, c.command("QUIT"));
            Thread.sleep(100);
            assertTrue(hop.connections().isEmpty(), "the next hop is not even contacted");
        }
    }

    @Test
    void exactDomainRoutePassesWhileTheInlineCatchAllDenies() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start(); ScriptedNextHop other = ScriptedNextHop.start();
                TestGateway gw = TestGateway.builder(dir)
                        .yaml(routes(Route.inline("\"*\"", other.url()), Route.inline("a.test", hop.url()))).start();
                RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(RELAY_DENIED, c.command("RCPT TO:<victim@elsewhere.test>"));
            assertEquals(rcptOk("r@a.test"), c.command("RCPT TO:<r@a.test>"));
            assertEquals(RELAY_DENIED, c.command("RCPT TO:<r@sub.a.test>"), "an exact domain does not cover subdomains");
            assertEquals(GO_AHEAD, c.command("DATA"));
            c.send(wire("Subject: ok\r\n\r\nb\r\n"));
            deliveredId(c.lastLine());
            assertEquals(1, hop.messages().size());
            assertEquals(List.of("r@a.test"), hop.messages().get(0).recipients());
            assertTrue(other.connections().isEmpty());
        }
    }
}
