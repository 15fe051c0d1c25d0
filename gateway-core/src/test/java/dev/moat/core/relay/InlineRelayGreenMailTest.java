package dev.moat.core.relay;

import static dev.moat.core.relay.RelaySupport.BYE;
import static dev.moat.core.relay.RelaySupport.GO_AHEAD;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.deliveredId;
import static dev.moat.core.relay.RelaySupport.mailOk;
import static dev.moat.core.relay.RelaySupport.rcptOk;
import static dev.moat.core.relay.RelaySupport.routes;
import static dev.moat.core.relay.RelaySupport.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.moat.core.relay.RelaySupport.Route;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GreenMail, an SMTP server that is not Moat's code, as the next hop. */
class InlineRelayGreenMailTest {

    @TempDir
    Path dir;

    GreenMail greenMail;

    @BeforeEach
    void startGreenMail() {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
    }

    @AfterEach
    void stopGreenMail() {
        greenMail.stop();
    }

    private TestGateway gateway() throws Exception {
        String url = "smtp://127.0.0.1:" + greenMail.getSmtp().getPort();
        return TestGateway.builder(dir).yaml(routes(Route.inline("a.test", url))).start();
    }

    @Test
    void messageArrivesIntactAtGreenMail() throws Exception {
        String body = ".leading dot\r\n..two\r\n.\r\nlast line\r\n";
        String message = "From: <s@x.test>\r\nTo: <r@a.test>\r\nSubject: to greenmail\r\nMessage-ID: <gm-1@x.test>\r\n"
                + "X-Unique: gm-1\r\n\r\n" + body;
        try (TestGateway gw = gateway(); RawSmtp c = connect(gw)) {
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", message));
            assertEquals(BYE, c.command("QUIT"));
            assertTrue(greenMail.waitForIncomingEmail(5000, 1));
            MimeMessage[] received = greenMail.getReceivedMessages();
            assertEquals(1, received.length);
            MimeMessage m = received[0];
            assertEquals("gm-1", m.getHeader("X-Unique", null));
            assertEquals("to greenmail", m.getHeader("Subject", null));
            // GreenMail adds its own Received field on top; Moat's is below it
            List<String> traces = List.of(m.getHeader("Received"));
            assertTrue(traces.stream().anyMatch(t -> t.contains("by mx.test.example (Moat) with ESMTP id " + id)),
                    traces.toString());
            try (InputStream raw = m.getRawInputStream()) {
                // GreenMail keeps the CRLF before the terminating dot as part of the end marker, so its
                // stored body lacks the final CRLF; everything else must be exact (dots un-stuffed once).
                String expected = body.substring(0, body.length() - 2);
                assertArrayEquals(RelaySupport.bytes(expected), raw.readAllBytes(), "body un-stuffed exactly once");
            }
        }
    }

    @Test
    void fiveHundredMessagesOverTenConnectionsAreAllDeliveredExactlyOnce() throws Exception {
        int connections = 10;
        int perConnection = 50;
        long start = System.nanoTime();
        try (TestGateway gw = gateway()) {
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < connections; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        int ok = 0;
                        try (RawSmtp c = connect(gw)) {
                            for (int i = 0; i < perConnection; i++) {
                                String seq = thread + "-" + i;
                                String rcpt = "user" + thread + "@a.test";
                                String message = "Message-ID: <" + seq + "@load.test>\r\nX-Seq: " + seq
                                        + "\r\nSubject: load " + seq + "\r\n\r\nbody " + seq + "\r\n";
                                // MAIL, RCPT and DATA pipelined, then the message after 354
                                c.send("MAIL FROM:<load@x.test>\r\nRCPT TO:<" + rcpt + ">\r\nDATA\r\n");
                                assertEquals(List.of(mailOk("load@x.test"), rcptOk(rcpt), GO_AHEAD), c.replies(3));
                                c.send(wire(message));
                                deliveredId(c.lastLine());
                                ok++;
                            }
                            assertEquals(BYE, c.command("QUIT"));
                        }
                        return ok;
                    }));
                }
                int delivered = 0;
                for (Future<Integer> f : results) {
                    delivered += f.get(60, TimeUnit.SECONDS);
                }
                assertEquals(connections * perConnection, delivered);
            } finally {
                pool.shutdownNow();
            }
            assertTrue(greenMail.waitForIncomingEmail(10_000, connections * perConnection));
            MimeMessage[] received = greenMail.getReceivedMessages();
            Map<String, Integer> counts = new HashMap<>();
            for (MimeMessage m : received) {
                counts.merge(m.getHeader("X-Seq", null), 1, Integer::sum);
            }
            assertEquals(connections * perConnection, received.length, "no duplicates");
            for (int t = 0; t < connections; t++) {
                for (int i = 0; i < perConnection; i++) {
                    assertEquals(1, counts.getOrDefault(t + "-" + i, 0), "message " + t + "-" + i);
                }
            }
            assertTrue(gw.capture().list().isEmpty());
            assertEquals(0, gw.spoolFiles());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "took " + took);
    }
}
