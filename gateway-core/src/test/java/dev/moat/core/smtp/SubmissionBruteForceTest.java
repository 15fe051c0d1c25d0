package dev.moat.core.smtp;

import static dev.moat.core.smtp.SubmissionSupport.ALICE_PASSWORD;
import static dev.moat.core.smtp.SubmissionSupport.BOB_PASSWORD;
import static dev.moat.core.smtp.SubmissionSupport.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Failed AUTH over the wire: the growing delay, the 421 block and its expiry, the meters, and logs without passwords. */
class SubmissionBruteForceTest {

    private static final String FAIL = "535 5.7.8 Authentication credentials invalid";
    private static final String BLOCKED = "421 4.7.0 mx.test.example Too many failed authentication attempts, try again later";

    @TempDir
    static Path certDir;
    static TlsTestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TlsTestCertificates.create(certDir);
    }

    private TestGateway start(String authExtra) throws Exception {
        Path users = SubmissionSupport.usersFile(dir);
        return TestGateway.builder(dir.resolve("data")).yaml(SubmissionSupport.yaml(certs, users, authExtra)).start();
    }

    private static double counter(TestGateway gw, String name, String... tags) {
        MeterRegistry registry = gw.runtime().injector().getInstance(MeterRegistry.class);
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void failuresPerIpAreDelayedMoreAndMoreThenBlockedUntilTheBlockExpires() throws Exception {
        String settings = "  max-failures-per-ip: 3\n  failure-delay: 150ms\n  max-failure-delay: 1s\n"
                + "  block-duration: 1500ms\n";
        try (TestGateway gw = start(settings)) {
            try (RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
                c.send("EHLO client.example\r\n").reply();
                long t0 = System.nanoTime();
                assertEquals(FAIL, c.command("AUTH PLAIN " + plain("", "bob", "guess1")));
                long first = System.nanoTime() - t0;
                long t1 = System.nanoTime();
                assertEquals(FAIL, c.command("AUTH PLAIN " + plain("", "alice@example.com", "guess2")));
                long second = System.nanoTime() - t1;
                // 1 × 150 ms, then 2 × 150 ms: the delay grows with the IP's failures
                assertTrue(first >= Duration.ofMillis(150).toNanos(), "first delay " + first / 1_000_000 + " ms");
                assertTrue(second >= Duration.ofMillis(300).toNanos(), "second delay " + second / 1_000_000 + " ms");
                assertEquals(BLOCKED, c.command("AUTH PLAIN " + plain("", "bob", "guess3")));
                assertTrue(c.closedByServer());
            }
            // blocked: a new connection from the same address is refused at once, even with the right password
            try (RawSmtp c = RawSmtp.connect(gw.address("sub").getPort())) {
                assertEquals(BLOCKED, c.lastLine());
            }
            assertEquals(1, counter(gw, "moat.auth.blocks", "scope", "ip"));
            assertEquals(3, counter(gw, "moat.auth.attempts", "listener", "subs", "result", "failure"));
            MeterRegistry registry = gw.runtime().injector().getInstance(MeterRegistry.class);
            assertEquals(1, registry.get("moat.auth.blocked").tag("scope", "ip").gauge().value());

            Thread.sleep(1600); // the block expires
            try (RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
                c.send("EHLO client.example\r\n").reply();
                assertEquals("235 2.7.0 Authentication successful", c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD)));
            }
            assertEquals(0, registry.get("moat.auth.blocked").tag("scope", "ip").gauge().value());
        }
    }

    @Test
    void theDelayHoldsNoThreadAndKeepsPipelinedCommandsInOrder() throws Exception {
        Path users = SubmissionSupport.usersFile(dir);
        // one session thread: a delay that held it would stall every other connection
        String yaml = "server:\n  hostname: mx.test.example\n  data-directory: \"" + dir.resolve("data") + "\"\n"
                + "  worker-threads: 1\n"
                + SubmissionSupport.yaml(certs, users, "  failure-delay: 3s\n  max-failure-delay: 3s\n");
        try (TestGateway gw = TestGateway.builder(dir.resolve("data")).yaml(yaml).start();
                RawSmtp a = SubmissionSupport.implicit(gw, certs)) {
            a.send("EHLO client.example\r\n").reply();
            long t0 = System.nanoTime();
            // a failure, then pipelined commands behind it
            a.send("AUTH PLAIN " + plain("", "bob", "wrong") + "\r\nNOOP\r\nAUTH PLAIN " + plain("", "bob", BOB_PASSWORD) + "\r\n");
            try (RawSmtp b = RawSmtp.connect(gw.address("sub").getPort())) {
                assertTrue(b.lastLine().startsWith("220 "));
                assertTrue(b.send("EHLO other.example\r\n").reply().startsWith("250-"));
            }
            assertEquals(0, a.socket().getInputStream().available(), "the failure is still being held back");
            assertEquals(FAIL, a.lastLine());
            assertTrue(System.nanoTime() - t0 >= Duration.ofSeconds(3).toNanos());
            assertTrue(a.lastLine().startsWith("250 "), "NOOP answered after the held reply");
            assertEquals("235 2.7.0 Authentication successful", a.lastLine());
        }
    }

    @Test
    void failuresPerUserBlockThatUserOnly() throws Exception {
        String settings = "  max-failures-per-ip: 100\n  max-failures-per-user: 2\n  failure-delay: 0s\n  block-duration: 1h\n";
        try (TestGateway gw = start(settings); RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            assertEquals(FAIL, c.command("AUTH PLAIN " + plain("", "alice@example.com", "guess1")));
            assertEquals(BLOCKED, c.command("AUTH PLAIN " + plain("", "alice@example.com", "guess2")));
            assertEquals(1, counter(gw, "moat.auth.blocks", "scope", "user"));
            try (RawSmtp d = SubmissionSupport.implicit(gw, certs)) {
                d.send("EHLO client.example\r\n").reply();
                // the right password does not help while the name is blocked ...
                assertEquals(BLOCKED, d.command("AUTH PLAIN " + plain("", "alice@example.com", ALICE_PASSWORD)));
            }
            try (RawSmtp d = SubmissionSupport.implicit(gw, certs)) {
                d.send("EHLO client.example\r\n").reply();
                // ... but other users from the same address go on
                assertEquals("235 2.7.0 Authentication successful", d.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD)));
            }
        }
    }

    @Test
    void passwordsNeverReachTheLog() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger moat = (Logger) LoggerFactory.getLogger("dev.moat");
        Logger james = (Logger) LoggerFactory.getLogger("org.apache.james");
        Level rootLevel = root.getLevel();
        Level moatLevel = moat.getLevel();
        Level jamesLevel = james.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.TRACE);
        moat.setLevel(Level.TRACE);
        james.setLevel(Level.TRACE);
        String wrong = "Wr0ngSecretXyZZy";
        try (TestGateway gw = start("  failure-delay: 0s\n"); RawSmtp c = SubmissionSupport.implicit(gw, certs)) {
            c.send("EHLO client.example\r\n").reply();
            assertEquals(FAIL, c.command("AUTH PLAIN " + plain("", "bob", wrong)));
            c.command("AUTH LOGIN");
            c.command(SubmissionSupport.b64("bob"));
            assertEquals(FAIL, c.command(SubmissionSupport.b64(wrong)));
            assertEquals("235 2.7.0 Authentication successful", c.command("AUTH PLAIN " + plain("", "bob", BOB_PASSWORD)));
            c.command("QUIT");
        } finally {
            root.detachAppender(appender);
            root.setLevel(rootLevel);
            moat.setLevel(moatLevel);
            james.setLevel(jamesLevel);
        }
        assertTrue(appender.list.stream().anyMatch(e -> e.getFormattedMessage().contains("AUTH PLAIN failed for user 'bob'")),
                "the failure is logged (with the user name)");
        String[] secrets = {wrong, BOB_PASSWORD, SubmissionSupport.b64(wrong), SubmissionSupport.b64(BOB_PASSWORD),
            plain("", "bob", wrong), plain("", "bob", BOB_PASSWORD),
            Base64.getEncoder().encodeToString(wrong.getBytes(StandardCharsets.UTF_8))};
        for (ILoggingEvent event : appender.list) {
            String all = event.getFormattedMessage() + " " + event.getMDCPropertyMap()
                    + (event.getThrowableProxy() != null ? " " + event.getThrowableProxy().getMessage() : "");
            for (String secret : secrets) {
                assertTrue(!all.contains(secret), "a password reached the log: " + all);
            }
        }
    }
}
