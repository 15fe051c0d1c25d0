package dev.moat.core.chain;

import static dev.moat.core.chain.ChainTestSupport.data;
import static dev.moat.core.chain.ChainTestSupport.json;
import static dev.moat.core.chain.ChainTestSupport.only;
import static dev.moat.core.chain.ChainTestSupport.open;
import static dev.moat.core.chain.ChainTestSupport.queuedId;
import static dev.moat.core.chain.ChainTestSupport.texts;
import static dev.moat.core.chain.ChainTestSupport.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.Verdict;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-safe behaviour on the wire: a filter that overruns its timeout, throws or returns null makes
 * the client retry ({@code 451 4.3.0}), nothing is stored, the spool is cleaned, and the session goes
 * on. A slow filter holds up only its own connection.
 */
class FilterFailuresOnTheWireTest {

    private static final String FILTER_FAILED = "451 4.3.0 Temporary filter failure, try again later";
    private static final String MESSAGE = "Subject: failures\r\n\r\nbody\r\n";

    @TempDir
    Path dir;

    private TestGateway start(String yaml) throws Exception {
        return TestGateway.builder(dir).filterType(ScriptedFilter.factory()).yaml(yaml).start();
    }

    private static void assertNothingStored(TestGateway gw) throws Exception {
        assertEquals(List.of(), gw.capture().list(), "capture store");
        assertEquals(List.of(), gw.quarantine().list(), "quarantine");
        assertEquals(0, gw.spoolFiles(), "spool files");
    }

    @Test
    void aFilterOverrunningItsTimeoutAtRcptGets451QuicklyAndTheTransactionGoesOn() throws Exception {
        String yaml = "filters:\n  - {name: slow, type: scripted, timeout: 300ms, sleep: 5s, sleep-at: rcptTo,"
                + " sleep-rcpt: slow@y.test}\n";
        try (TestGateway gw = start(yaml); RawSmtp c = open(gw.port())) {
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            long t0 = System.nanoTime();
            assertEquals(FILTER_FAILED + "\r\n", c.send("RCPT TO:<slow@y.test>\r\n").reply());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis >= 250 && millis < 1000, "451 after " + millis + " ms; the timeout is 300 ms");

            long t1 = System.nanoTime();
            assertEquals("250 2.1.5 Recipient <ok@y.test> OK", c.command("RCPT TO:<ok@y.test>"));
            assertTrue((System.nanoTime() - t1) / 1_000_000 < 1000, "the next RCPT must not wait for the abandoned call");
            String id = queuedId(data(c, MESSAGE));
            JsonNode env = json(only(gw.capture(), id));
            assertEquals(List.of("ok@y.test"), texts(env.get("recipients")));
            assertEquals(0, env.get("verdicts").size());
        }
    }

    @Test
    void aFilterThrowingAtDataGets451AndNothingIsStoredOrLeftInTheSpool() throws Exception {
        AtomicLong spoolDuringData = new AtomicLong(-1);
        TestGateway[] holder = new TestGateway[1];
        Filter watcher = new Filter() {
            @Override
            public Verdict data(DataContext context) throws Exception {
                spoolDuringData.set(holder[0].spoolFiles());
                return Verdict.next();
            }
        };
        String yaml = "limits: {memory-buffer: 0}\nfilters:\n  - {name: watch, type: watcher}\n"
                + "  - {name: boom, type: scripted, throw-at: data}\n";
        try (TestGateway gw = TestGateway.builder(dir).filterType(ScriptedFilter.factory())
                .filterType(ChainTestSupport.type("watcher", watcher)).yaml(yaml).start();
                RawSmtp c = open(gw.port())) {
            holder[0] = gw;
            assertEquals(FILTER_FAILED, transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertEquals(1, spoolDuringData.get(), "with memory-buffer 0 the message is a spool file during DATA");
            assertNothingStored(gw);
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
        }
    }

    @Test
    void aFilterReturningNullAtDataGets451() throws Exception {
        try (TestGateway gw = start("filters:\n  - {name: n, type: scripted, null-at: data}\n"); RawSmtp c = open(gw.port())) {
            assertEquals(FILTER_FAILED, transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertNothingStored(gw);
        }
    }

    @Test
    void aFilterReturningNullAtMailFromGets451AndNoTransaction() throws Exception {
        try (TestGateway gw = start("filters:\n  - {name: n, type: scripted, null-at: mailFrom}\n");
                RawSmtp c = open(gw.port())) {
            assertEquals(FILTER_FAILED, c.command("MAIL FROM:<a@x.test>"));
            assertTrue(c.command("RCPT TO:<b@y.test>").startsWith("503 "));
        }
    }

    @Test
    void aFilterThrowingAtConnectGets421AndTheConnectionCloses() throws Exception {
        try (TestGateway gw = start("filters:\n  - {name: boom, type: scripted, throw-at: connect}\n");
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals("421 4.3.0 Temporary filter failure, try again later", c.lastLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aFilterOverrunningItsTimeoutAtDataGets451AndNothingIsStored() throws Exception {
        String yaml = "limits: {memory-buffer: 0}\n"
                + "filters:\n  - {name: slow, type: scripted, timeout: 200ms, sleep: 5s, sleep-at: data}\n";
        try (TestGateway gw = start(yaml); RawSmtp c = open(gw.port())) {
            long t0 = System.nanoTime();
            assertEquals(FILTER_FAILED, transaction(c, "a@x.test", List.of("b@y.test"), MESSAGE));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 1500);
            assertNothingStored(gw);
        }
    }

    @Test
    void aSlowFilterOnOneConnectionDoesNotBlockAnother() throws Exception {
        String yaml = "filters:\n  - {name: slow, type: scripted, timeout: 10s, sleep: 3s, sleep-at: rcptTo,"
                + " sleep-rcpt: slow@y.test}\n";
        try (TestGateway gw = start(yaml); RawSmtp a = open(gw.port()); RawSmtp b = open(gw.port())) {
            assertEquals("250 2.1.0 Sender <a@x.test> OK", a.command("MAIL FROM:<a@x.test>"));
            long aStart = System.nanoTime();
            a.send("RCPT TO:<slow@y.test>\r\n"); // the filter now sleeps 3 s for connection A
            Thread.sleep(100);

            long bStart = System.nanoTime();
            String id = queuedId(transaction(b, "b@x.test", List.of("fast@y.test"), MESSAGE));
            long bMillis = (System.nanoTime() - bStart) / 1_000_000;
            assertTrue(bMillis < 2000, "connection B took " + bMillis + " ms while A's filter slept");
            assertEquals("221 2.0.0 mx.test.example Service closing transmission channel", b.command("QUIT"));

            assertEquals("250 2.1.5 Recipient <slow@y.test> OK", a.lastLine());
            long aMillis = (System.nanoTime() - aStart) / 1_000_000;
            assertTrue(aMillis >= 2900, "A's RCPT answered after " + aMillis + " ms, before its filter finished");
            String idA = queuedId(data(a, MESSAGE));
            assertEquals(2, gw.capture().list().size());
            assertEquals(List.of("fast@y.test"), texts(json(gw.capture().find(id).orElseThrow()).get("recipients")));
            assertEquals(List.of("slow@y.test"), texts(json(gw.capture().find(idA).orElseThrow()).get("recipients")));
        }
    }
}
