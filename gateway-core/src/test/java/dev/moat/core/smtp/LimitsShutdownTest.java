package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Closing a gateway tells open clients 421 4.3.2, cleans the spool and ends every moat-* thread. */
class LimitsShutdownTest {

    private static final String SHUTTING_DOWN = "421 4.3.2 mx.test.example Service shutting down";

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    private static void assertNoNewMoatThreads(Set<Thread> before) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            List<Thread> left = LimitsSupport.moatThreads().stream().filter(t -> !before.contains(t)).collect(Collectors.toList());
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("moat threads alive 5 s after close: " + LimitsSupport.names(left));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void closeDisconnectsClientsAndEndsAllThreads() throws Exception {
        Set<Thread> before = Set.copyOf(LimitsSupport.moatThreads());
        String yaml = "listeners:\n"
                + "  - name: plain\n    address: 127.0.0.1:0\n"
                + "  - name: secure\n    address: 127.0.0.1:0\n    tls:\n      mode: implicit\n"
                + "      certificate: \"" + certs.certificate + "\"\n      key: \"" + certs.key + "\"\n";
        TestGateway gw = TestGateway.builder(dir).yaml(yaml).start();
        int port = gw.address("plain").getPort();
        int securePort = gw.address("secure").getPort();
        try (RawSmtp done = RawSmtp.connect(port); RawSmtp idle = RawSmtp.connect(port);
                RawSmtp inTransaction = RawSmtp.connect(port); RawSmtp secure = RawSmtp.connect(securePort)) {
            done.lastLine();
            LimitsSupport.queuedId(LimitsSupport.sendMessage(done, "b@y.test", "Subject: one\r\n\r\nbody"));
            idle.lastLine();
            inTransaction.lastLine();
            inTransaction.send("EHLO client.example\r\n").reply();
            assertEquals("250 2.1.0 Sender <a@x.test> OK", inTransaction.command("MAIL FROM:<a@x.test>"));
            secure.use(certs.handshake(secure.socket(), securePort));
            secure.lastLine();
            assertTrue(LimitsSupport.moatThreads().size() > before.size(), "the gateway runs moat-* threads");

            long start = System.nanoTime();
            gw.close();
            long closeMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closeMs < 10_000, "close took " + closeMs + " ms");

            for (RawSmtp c : List.of(done, idle, inTransaction, secure)) {
                c.timeout(5000);
                assertEquals(SHUTTING_DOWN, c.lastLine());
                assertTrue(c.closedByServer());
            }
        }
        assertThrows(ConnectException.class, () -> RawSmtp.connect(port).close(), "nothing may listen any more");
        assertNoNewMoatThreads(before);
        assertEquals(1, gw.capture().list().size());
    }

    @Test
    void closeDuringDataDropsThePartialMessageAndItsSpoolFile() throws Exception {
        Set<Thread> before = Set.copyOf(LimitsSupport.moatThreads());
        TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  memory-buffer: 0\n").start();
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            c.command("MAIL FROM:<a@x.test>");
            c.command("RCPT TO:<b@y.test>");
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            c.send("Subject: partial\r\n\r\nfirst line\r\n");
            LimitsSupport.eventually(Duration.ofSeconds(2), "the message is spooled", () -> gw.spoolFiles() == 1);

            gw.close(); // waits up to its 2 s grace for the transaction, then disconnects
            c.timeout(5000);
            assertEquals(SHUTTING_DOWN, c.lastLine());
            assertTrue(c.closedByServer());
        }
        LimitsSupport.eventually(Duration.ofSeconds(2), "the spool file is deleted", () -> gw.spoolFiles() == 0);
        assertEquals(0, gw.capture().list().size());
        assertNoNewMoatThreads(before);
    }

    /**
     * A routine shutdown with clients connected is not an error: nothing at WARN or above may be
     * logged (before the fix, the event loops were stopped while the session pool still passed
     * channelInactive/teardown events back to them: ERROR "Unable to process request" with a
     * RejectedExecutionException per connection).
     */
    @Test
    void closeWithConnectedClientsLogsNoErrors() throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        try {
            for (int round = 0; round < 5; round++) {
                TestGateway gw = TestGateway.builder(dir.resolve("round" + round)).start();
                try (RawSmtp a = RawSmtp.connect(gw.port()); RawSmtp b = RawSmtp.connect(gw.port())) {
                    a.lastLine();
                    a.send("EHLO client.example\r\n").reply();
                    b.lastLine();
                    gw.close();
                    a.timeout(5000);
                    assertEquals(SHUTTING_DOWN, a.lastLine());
                }
            }
        } finally {
            root.detachAppender(appender);
        }
        List<String> problems;
        synchronized (appender) {
            problems = appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(e -> e.getLevel() + " [" + e.getThreadName() + "] " + e.getLoggerName() + ": " + e.getFormattedMessage()
                            + (e.getThrowableProxy() != null ? " / " + e.getThrowableProxy().getClassName()
                                    + ": " + e.getThrowableProxy().getMessage() : ""))
                    .collect(Collectors.toList());
        }
        assertEquals(List.of(), problems, "warnings or errors logged by a routine shutdown");
    }
}
