package dev.moat.filters.connectionpolicy;

import dev.moat.filter.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * connection-policy through a real gateway. The service-loaded type (system clock) is used for the
 * concurrency limit; the rate tests register the same factory with a fake clock under another type
 * name, so "trips and recovers" takes no real time.
 */
class ConnectionPolicyEndToEndTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();

    /** The real factory with the fake clock, as type {@code clocked-connection-policy}. */
    private FilterFactory clocked() {
        ConnectionPolicyFactory real = new ConnectionPolicyFactory(clock);
        return new FilterFactory() {
            @Override
            public String type() {
                return "clocked-connection-policy";
            }

            @Override
            public Set<String> settingKeys() {
                return real.settingKeys();
            }

            @Override
            public Filter create(FilterSettings settings) {
                return real.create(settings);
            }
        };
    }

    private TestGateway start(String type, String settings) throws Exception {
        return TestGateway.builder(dir).filterType(clocked())
                .yaml("filters:\n  - {name: cp, type: " + type + ", " + settings + "}\n").start();
    }

    private static RawSmtp greeted(TestGateway gw) throws IOException {
        RawSmtp c = RawSmtp.connect(gw.port());
        String banner = c.lastLine();
        assertTrue(banner.startsWith("220 "), banner);
        return c;
    }

    private static RawSmtp ehlo(TestGateway gw) throws IOException {
        RawSmtp c = greeted(gw);
        assertTrue(c.command("EHLO client.example").startsWith("250 "));
        return c;
    }

    /** Connects and expects a refusal instead of the banner, then the close. */
    private static void refusedAtConnect(TestGateway gw, String reply) throws IOException {
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            assertEquals(reply, c.lastLine());
            assertTrue(c.closedByServer(), "closed after the refusal");
        }
    }

    private static void quit(RawSmtp c) throws IOException {
        assertTrue(c.command("QUIT").startsWith("221 "));
        c.close();
    }

    @Test
    void concurrentConnectionsThroughTheServiceLoadedType() throws Exception {
        try (TestGateway gw = start("connection-policy", "max-concurrent: 2")) {
            RawSmtp first = greeted(gw);
            RawSmtp second = greeted(gw);
            refusedAtConnect(gw, "421 4.7.0 Too many connections from your address, try again later");
            quit(first);
            // the slot comes back with the disconnect notice, which the gateway sends asynchronously
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (true) {
                try (RawSmtp c = RawSmtp.connect(gw.port())) {
                    String line = c.lastLine();
                    if (line.startsWith("220 ")) {
                        break;
                    }
                    assertTrue(System.nanoTime() < deadline, "the slot never came back: " + line);
                }
                Thread.sleep(20);
            }
            quit(second);
        }
    }

    @Test
    void connectionRateTripsAndRecovers() throws Exception {
        try (TestGateway gw = start("clocked-connection-policy", "max-connection-rate: 3/1m")) {
            for (int i = 0; i < 3; i++) {
                quit(greeted(gw));
            }
            refusedAtConnect(gw, "421 4.7.0 Connection rate limit exceeded, try again later");
            clock.advance(Duration.ofSeconds(30));
            refusedAtConnect(gw, "421 4.7.0 Connection rate limit exceeded, try again later");
            clock.advance(Duration.ofSeconds(40));
            quit(greeted(gw));
        }
    }

    @Test
    void messageRateTripsAndRecovers() throws Exception {
        try (TestGateway gw = start("clocked-connection-policy", "max-message-rate: 2/1m"); RawSmtp c = ehlo(gw)) {
            for (int i = 0; i < 2; i++) {
                assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
                assertTrue(c.command("RSET").startsWith("250 "));
            }
            assertEquals("450 4.7.1 Message rate limit exceeded, try again later", c.command("MAIL FROM:<a@x.test>"));
            clock.advance(Duration.ofSeconds(70));
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
        }
    }

    @Test
    void recipientRateTripsAndRecovers() throws Exception {
        try (TestGateway gw = start("clocked-connection-policy", "max-recipient-rate: 3/1m"); RawSmtp c = ehlo(gw)) {
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            for (int i = 0; i < 3; i++) {
                assertEquals("250 2.1.5 Recipient <r" + i + "@y.test> OK", c.command("RCPT TO:<r" + i + "@y.test>"));
            }
            assertEquals("450 4.7.1 Recipient rate limit exceeded, try again later", c.command("RCPT TO:<r3@y.test>"));
            clock.advance(Duration.ofSeconds(70));
            assertEquals("250 2.1.5 Recipient <r3@y.test> OK", c.command("RCPT TO:<r3@y.test>"));
        }
    }

    @Test
    void heloChecks() throws Exception {
        try (TestGateway gw = start("connection-policy",
                "helo-checks: true, own-hostnames: [mx.test.example], own-addresses: [\"192.0.2.25\"]");
                RawSmtp c = greeted(gw)) {
            assertEquals("550 5.7.1 HELO/EHLO with a bare IP address: use an address literal such as [192.0.2.1]",
                    c.command("EHLO 127.0.0.1"));
            assertEquals("550 5.7.1 HELO/EHLO with my own host name or address", c.command("EHLO mx.test.example"));
            assertEquals("550 5.7.1 HELO/EHLO with my own host name or address", c.command("HELO [192.0.2.25]"));
            assertEquals("550 5.7.1 HELO/EHLO name is not a valid host name or address literal", c.command("EHLO bad..name"));
            assertTrue(c.command("EHLO [127.0.0.1]").startsWith("250 "));
            assertTrue(c.command("HELO client.example").startsWith("250 "));
        }
    }

    @Test
    void senderChecks() throws Exception {
        try (TestGateway gw = start("connection-policy", "sender-checks: true"); RawSmtp c = ehlo(gw)) {
            assertEquals("553 5.1.7 Bad sender address syntax", c.command("MAIL FROM:<a@localhost>"));
            assertEquals("250 2.1.0 Sender <> OK", c.command("MAIL FROM:<>"));
            assertEquals("250 2.1.5 Recipient <postmaster@y.test> OK", c.command("RCPT TO:<postmaster@y.test>"));
            assertEquals("550 5.7.1 Null sender allowed only with one recipient", c.command("RCPT TO:<abuse@y.test>"));
        }
    }

    @Test
    void trustedNetworksAreExempt() throws Exception {
        try (TestGateway gw = start("clocked-connection-policy",
                "trusted-networks: [\"127.0.0.0/8\", \"::1\"], max-connection-rate: 1/1m, max-concurrent: 1, helo-checks: true")) {
            RawSmtp held = greeted(gw);
            for (int i = 0; i < 3; i++) {
                try (RawSmtp c = greeted(gw)) {
                    assertTrue(c.command("EHLO 127.0.0.1").startsWith("250 "));
                }
            }
            quit(held);
        }
    }
}
