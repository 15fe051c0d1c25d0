package dev.moat.core.relay;

import static dev.moat.core.relay.QueueSupport.queue;
import static dev.moat.core.relay.QueueSupport.queuedId;
import static dev.moat.core.relay.QueueSupport.yaml;
import static dev.moat.core.relay.RelaySupport.assertReceivedPlus;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.deliveredId;
import static dev.moat.core.relay.RelaySupport.send;
import static dev.moat.core.relay.ScriptedNextHop.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mode: inline-then-queue}: in-line while the next hop answers, queued when it cannot be used. */
class InlineThenQueueTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String MESSAGE = "From: <s@sender.test>\r\nTo: <r@a.test>\r\nSubject: fallback\r\n\r\nbody\r\n";

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

    @Test
    void withTheNextHopUpTheNextHopsRepliesAreTheClients() throws Exception {
        hop.rcptReply("nobody@a.test", "550 5.1.1 <nobody@a.test>: User unknown");
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("inline-then-queue", "[1s]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            String id = deliveredId(send(c, "s@sender.test", "r@a.test", MESSAGE));
            assertEquals(1, hop.messages().size(), "delivered before the client's 250");
            assertReceivedPlus(hop.messages().get(0).text(), MESSAGE, id);
            c.command("MAIL FROM:<s@sender.test>");
            assertEquals("550 5.1.1 Recipient refused by next hop: 550 <nobody@a.test>: User unknown",
                    c.command("RCPT TO:<nobody@a.test>"), "a refusal is still the next hop's, at RCPT time");
            assertEquals(0, queue(gw).size());
        }
    }

    @Test
    void withTheNextHopDownTheMessageIsQueuedAndDeliveredWhenItReturns() throws Exception {
        hop.greeting("421 4.3.2 maintenance");
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("inline-then-queue", "[300ms]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            c.command("MAIL FROM:<s@sender.test>");
            assertEquals("250 2.1.5 Recipient <r@a.test> OK", c.command("RCPT TO:<r@a.test>"));
            assertEquals("250 2.1.5 Recipient <r2@a.test> OK", c.command("RCPT TO:<r2@a.test>"));
            c.command("DATA");
            c.send(RelaySupport.wire(MESSAGE));
            String id = queuedId(c.lastLine());
            assertEquals(1, queue(gw).size());
            assertEquals(0, hop.messages().size());
            hop.greeting("220 hop.test ESMTP back");
            assertTrue(await(() -> hop.messages().size() == 1, WAIT));
            assertEquals(List.of("r@a.test", "r2@a.test"), hop.messages().get(0).recipients());
            assertReceivedPlus(hop.messages().get(0).text(), MESSAGE, id);
            assertTrue(await(() -> queue(gw).size() == 0, WAIT));
        }
    }

    @Test
    void aNextHopLostAtTheEndOfDataFallsBackToTheQueue() throws Exception {
        hop.closeAt("DATA");
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("inline-then-queue", "[300ms]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            String id = queuedId(send(c, "s@sender.test", "r@a.test", MESSAGE));
            assertEquals(1, queue(gw).size());
            hop.closeAt(null);
            assertTrue(await(() -> hop.messages().size() == 1, WAIT));
            assertReceivedPlus(hop.messages().get(0).text(), MESSAGE, id);
        }
    }
}
