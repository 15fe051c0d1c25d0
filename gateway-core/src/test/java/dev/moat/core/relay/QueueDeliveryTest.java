package dev.moat.core.relay;

import static dev.moat.core.relay.QueueSupport.queue;
import static dev.moat.core.relay.QueueSupport.queueFiles;
import static dev.moat.core.relay.QueueSupport.queuedId;
import static dev.moat.core.relay.QueueSupport.yaml;
import static dev.moat.core.relay.RelaySupport.assertReceivedPlus;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.send;
import static dev.moat.core.relay.ScriptedNextHop.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.relay.ScriptedNextHop.Message;
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

/** {@code mode: queue}: accepted on Moat's disk, delivered by the workers, retried per recipient, recovered at start. */
class QueueDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String MESSAGE = "From: <s@sender.test>\r\nTo: <r@a.test>\r\nSubject: queued\r\n"
            + "Message-ID: <q1@sender.test>\r\n\r\n.leading dot\r\ncaf\u00e9 8-bit\r\n" + "y".repeat(998) + "\r\n";

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
    void queuedMessageIsDeliveredByteForByteAndLeavesTheQueue() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[1s]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            String id = queuedId(send(c, "s@sender.test", "r@a.test", MESSAGE));
            assertTrue(await(() -> hop.messages().size() == 1, WAIT));
            Message m = hop.messages().get(0);
            assertEquals("MAIL FROM:<s@sender.test>", m.mailFrom());
            assertEquals(List.of("r@a.test"), m.recipients());
            assertReceivedPlus(m.text(), MESSAGE, id);
            assertTrue(await(() -> queue(gw).size() == 0, WAIT));
            assertTrue(await(() -> uncheckedFiles().isEmpty(), WAIT), "nothing left in the queue directory");
        }
    }

    private List<Path> uncheckedFiles() {
        try {
            return queueFiles(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void withTheNextHopDownTheMessageWaitsOnDiskAndIsDeliveredAfterARestart() throws Exception {
        String dead = "smtp://127.0.0.1:" + ScriptedNextHop.deadPort();
        String id;
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[1h]", "1h", dead)).start();
                RawSmtp c = connect(gw)) {
            id = queuedId(send(c, "s@sender.test", "r@a.test", MESSAGE));
            // the entry, and (once the first attempt has failed, which may already be the case) its state
            List<Path> files = queueFiles(dir).stream().filter(p -> p.toString().endsWith(".msg")).toList();
            assertEquals(1, files.size(), "one committed entry: " + queueFiles(dir));
            Path file = files.get(0);
            assertEquals(id + ".msg", file.getFileName().toString());
            assertTrue(file.getParent().getFileName().toString().matches("[0-9a-f]{2}"), "hashed directory: " + file);
            String raw = Files.readString(file, StandardCharsets.ISO_8859_1);
            assertTrue(raw.startsWith("MOATQ1 "), raw);
            assertTrue(raw.contains(MESSAGE), "the message bytes are in the entry");
            assertTrue(raw.matches("(?s).*\r\nMOATQ-END [0-9a-f]{16} [0-9a-f]{8}\r\n"), "trailer");
            assertTrue(await(() -> queue(gw).find(id).map(q -> q.state().attempts() >= 1).orElse(false), WAIT));
        }
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[1h]", "1h", hop.url())).start()) {
            assertEquals(1, queue(gw).size(), "recovered");
            Thread.sleep(300);
            assertEquals(0, hop.connections().size(), "the persisted schedule holds across the restart (next try in 1h)");
            assertEquals(1, queue(gw).flush(java.util.Optional.empty()));
            assertTrue(await(() -> hop.messages().size() == 1, WAIT), "delivered after the flush");
            assertReceivedPlus(hop.messages().get(0).text(), MESSAGE, id);
            assertTrue(await(() -> uncheckedFiles().isEmpty(), WAIT));
        }
    }

    @Test
    void aRetryGoesOnlyToTheRecipientsThatHaveNotGotTheMessage() throws Exception {
        hop.rcptReply("b@a.test", "450 4.2.0 <b@a.test>: mailbox busy");
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[300ms]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            c.command("MAIL FROM:<s@sender.test>");
            c.command("RCPT TO:<a@a.test>");
            c.command("RCPT TO:<b@a.test>");
            c.command("DATA");
            c.send(RelaySupport.wire(MESSAGE));
            String id = queuedId(c.lastLine());
            assertTrue(await(() -> hop.messages().size() == 1, WAIT));
            assertEquals(List.of("a@a.test"), hop.messages().get(0).recipients());
            assertTrue(await(() -> queue(gw).find(id).map(q -> q.state().attempts() == 1).orElse(false), WAIT));
            var state = queue(gw).find(id).orElseThrow().state();
            assertEquals("DELIVERED", state.recipients().get(0).status().name());
            assertEquals("PENDING", state.recipients().get(1).status().name());
            assertEquals("450 4.2.0 <b@a.test>: mailbox busy", state.recipients().get(1).lastReply().orElseThrow());
            hop.rcptReply("b@a.test", "250 2.1.5 Ok");
            assertTrue(await(() -> hop.messages().size() == 2, WAIT));
            assertEquals(List.of("b@a.test"), hop.messages().get(1).recipients());
            assertTrue(await(() -> queue(gw).size() == 0, WAIT));
            assertEquals(1, hop.lines().stream().filter(l -> l.text().equals("RCPT TO:<a@a.test>")).count(),
                    "a@a.test was never offered again");
        }
    }

    @Test
    void nextHopDownForAWhileThenUpIsRetriedOnTheScheduleAndDelivered() throws Exception {
        hop.greeting("421 4.3.2 maintenance");
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[300ms, 600ms]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            String id = queuedId(send(c, "s@sender.test", "r@a.test", MESSAGE));
            long start = System.nanoTime();
            Thread.sleep(1500);
            int attemptsWhileDown = hop.connections().size();
            // at 0, +300ms, then every 600ms: 3 or 4 attempts in 1.5 s; never a hot loop
            assertTrue(attemptsWhileDown >= 2 && attemptsWhileDown <= 5, "attempts while down: " + attemptsWhileDown);
            assertEquals(1, queue(gw).size());
            assertTrue(queue(gw).find(id).orElseThrow().state().recipients().get(0).lastReply().orElseThrow()
                    .contains("421 4.3.2 maintenance"));
            hop.greeting("220 hop.test ESMTP back");
            assertTrue(await(() -> hop.messages().size() == 1, WAIT));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(1500).toNanos());
            assertReceivedPlus(hop.messages().get(0).text(), MESSAGE, id);
            assertTrue(await(() -> queue(gw).size() == 0, WAIT));
        }
    }

    @Test
    void connectionsAreReusedAcrossMessages() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[1s]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            for (int i = 0; i < 6; i++) {
                queuedId(send(c, "s@sender.test", "r" + i + "@a.test", MESSAGE));
            }
            assertTrue(await(() -> hop.messages().size() == 6, WAIT));
            assertTrue(hop.connections().size() <= 2, "at most one connection per worker (2): " + hop.connections().size());
        }
    }

    @Test
    void aDamagedEntryIsSetAsideAtStartAndNeverDelivered() throws Exception {
        Path bucket = dir.resolve("queue/msg/00");
        Files.createDirectories(bucket);
        // a message file cut off in the middle (no end marker), as a disk could leave it
        Files.writeString(bucket.resolve("HALF.msg"), "MOATQ1 20\r\n{\"id\":\"HALF\",\"x\":1}\r\nSubject: half\r\n\r\nbody",
                StandardCharsets.ISO_8859_1);
        Files.createDirectories(dir.resolve("queue/tmp"));
        Files.writeString(dir.resolve("queue/tmp/PARTIAL.msg"), "MOATQ1 ");
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[1s]", "1h", hop.url())).start()) {
            assertTrue(Files.exists(dir.resolve("queue/corrupt/HALF.msg")));
            assertFalse(Files.exists(bucket.resolve("HALF.msg")));
            assertFalse(Files.exists(dir.resolve("queue/tmp/PARTIAL.msg")));
            assertEquals(0, queue(gw).size());
            Thread.sleep(300);
            assertEquals(0, hop.connections().size());
        }
    }

    @Test
    void aFailedQueueWriteAnswers452AndNothingIsLeft() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml("queue", "[1s]", "1h", hop.url())).start();
                RawSmtp c = connect(gw)) {
            Path tmp = dir.resolve("queue/tmp");
            Files.delete(tmp);
            Files.writeString(tmp, "not a directory"); // every write into the queue fails now
            assertEquals("250 2.1.0 Sender <s@sender.test> OK", c.command("MAIL FROM:<s@sender.test>"));
            assertEquals("250 2.1.5 Recipient <r@a.test> OK", c.command("RCPT TO:<r@a.test>"));
            c.command("DATA");
            c.send(RelaySupport.wire(MESSAGE));
            assertEquals("452 4.3.1 Insufficient system storage, try again later", c.lastLine());
            // and for a moment after, new recipients of queue routes are refused up front
            assertEquals("250 2.1.0 Sender <s@sender.test> OK", c.command("MAIL FROM:<s@sender.test>"));
            assertEquals("452 4.3.1 Insufficient system storage, try again later", c.command("RCPT TO:<r@a.test>"));
            assertEquals(List.of(), queueFiles(dir));
        }
    }

    @Test
    void belowTheFreeSpaceFloorQueueRecipientsGet452() throws Exception {
        String yaml = yaml("queue", "[1s]", "1h", hop.url()).replace("queue:\n", "queue:\n  min-free-space: 1000000000GB\n");
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp c = connect(gw)) {
            c.command("MAIL FROM:<s@sender.test>");
            assertEquals("452 4.3.1 Insufficient system storage, try again later", c.command("RCPT TO:<r@a.test>"));
            assertEquals("250 2.1.5 Recipient <s@sender.test> OK", c.command("RCPT TO:<s@sender.test>"),
                    "a capture route is not affected");
        }
    }
}
