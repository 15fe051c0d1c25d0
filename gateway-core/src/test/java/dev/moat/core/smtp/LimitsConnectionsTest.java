package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code limits.max-connections} and {@code limits.max-connections-per-ip} on the wire. */
class LimitsConnectionsTest {

    private static final String BANNER = "220 mx.test.example ESMTP Moat";
    private static final String TOO_MANY = "421 4.7.0 mx.test.example Too many connections, try again later";
    private static final String TOO_MANY_FROM_IP = "421 4.7.0 mx.test.example Too many connections from your address, try again later";

    @TempDir
    Path dir;

    @Test
    void connectionOverMaxConnectionsGets421AndIsClosedAndASlotFreesAgain() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir)
                .yaml("limits:\n  max-connections: 2\n  max-connections-per-ip: 2\n").start();
                RawSmtp c1 = RawSmtp.connect(gw.port());
                RawSmtp c2 = RawSmtp.connect(gw.port())) {
            assertEquals(BANNER, c1.lastLine());
            assertEquals(BANNER, c2.lastLine());

            try (RawSmtp c3 = RawSmtp.connect(gw.port())) {
                c3.timeout(5000);
                assertEquals(TOO_MANY, c3.lastLine());
                assertTrue(c3.closedByServer(), "refused connection must be closed");
            }
            // The two admitted sessions are unaffected by the refusal.
            assertEquals("250 2.0.0 OK", c1.command("NOOP"));
            assertEquals("250 2.0.0 OK", c2.command("NOOP"));

            // Still two open: a refused connection must not have freed (or taken) a slot.
            try (RawSmtp c4 = RawSmtp.connect(gw.port())) {
                c4.timeout(5000);
                assertEquals(TOO_MANY, c4.lastLine());
                assertTrue(c4.closedByServer());
            }

            assertEquals("221 2.0.0 mx.test.example Service closing transmission channel", c1.command("QUIT"));
            assertTrue(c1.closedByServer());
            // The slot is released asynchronously when the server side sees the close; allow a moment.
            LimitsSupport.eventually(Duration.ofSeconds(3), "a new connection gets 220 after one closed", () -> {
                try (RawSmtp c5 = RawSmtp.connect(gw.port())) {
                    return c5.lastLine().equals(BANNER);
                }
            });
            assertEquals("250 2.0.0 OK", c2.command("NOOP"));
        }
    }

    @Test
    void secondConnectionFromTheSameIpOverMaxPerIpGets421() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir)
                .yaml("limits:\n  max-connections: 10\n  max-connections-per-ip: 1\n").start();
                RawSmtp c1 = RawSmtp.connect(gw.port())) {
            assertEquals(BANNER, c1.lastLine());
            try (RawSmtp c2 = RawSmtp.connect(gw.port())) {
                c2.timeout(5000);
                assertEquals(TOO_MANY_FROM_IP, c2.lastLine());
                assertTrue(c2.closedByServer(), "refused connection must be closed");
            }
            assertEquals("250 2.0.0 OK", c1.command("NOOP"));
            assertEquals("221 2.0.0 mx.test.example Service closing transmission channel", c1.command("QUIT"));
            assertTrue(c1.closedByServer());
            LimitsSupport.eventually(Duration.ofSeconds(3), "a new connection from the IP gets 220 after the first closed", () -> {
                try (RawSmtp c3 = RawSmtp.connect(gw.port())) {
                    return c3.lastLine().equals(BANNER);
                }
            });
        }
    }

    /**
     * docs/configuration.md: max-connections counts "open SMTP connections over all listeners" and
     * max-connections-per-ip "from one client IP address" - not per listener.
     */
    @Test
    void maxConnectionsCountsOverAllListeners() throws Exception {
        String yaml = "limits:\n  max-connections: 1\n  max-connections-per-ip: 1\n"
                + "listeners:\n"
                + "  - name: one\n    address: 127.0.0.1:0\n"
                + "  - name: two\n    address: 127.0.0.1:0\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start();
                RawSmtp c1 = RawSmtp.connect(gw.address("one").getPort())) {
            assertEquals(BANNER, c1.lastLine());
            try (RawSmtp c2 = RawSmtp.connect(gw.address("two").getPort())) {
                c2.timeout(5000);
                String reply = c2.lastLine();
                assertTrue(reply.startsWith("421 4.7.0 "),
                        "a second connection (on another listener) over max-connections 1 must be refused, got: " + reply);
            }
        }
    }
}
