package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core's SMTP and delivery meters count exactly what happened on the wire. */
class SmtpMetricsTest {

    @TempDir
    Path dir;

    @Test
    void countsConnectionsTransactionsRepliesSizesAndDeliveries() throws Exception {
        String yaml = "routes:\n  - domains: [y.test]\n    mode: capture\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start()) {
            MeterRegistry registry = gw.runtime().injector().getInstance(MeterRegistry.class);
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                c.lastLine();
                c.command("EHLO client.test");
                for (int i = 0; i < 2; i++) {
                    c.command("MAIL FROM:<a@x.test>");
                    assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
                    assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<b@elsewhere.test>"));
                    c.command("DATA");
                    assertTrue(c.command("Subject: " + i + "\r\n\r\n" + "x".repeat(100) + "\r\n.").startsWith("250"));
                }
                c.command("MAIL FROM:<a@x.test>");
                c.command("RCPT TO:<b@y.test>");
                c.command("DATA");
                assertTrue(c.command("Subject: bare\r\n\r\nbare\nLF\r\n.").startsWith("550 5.6.11"));
                c.command("QUIT");
            }
            assertEquals(1.0, registry.get("moat.smtp.connections").tag("listener", "test").counter().count());
            assertEquals(2.0, registry.get("moat.smtp.transactions").tags("listener", "test", "result", "accepted").counter().count());
            assertEquals(1.0, registry.get("moat.smtp.transactions").tags("listener", "test", "result", "rejected").counter().count());
            assertEquals(3.0, registry.get("moat.smtp.replies").tags("stage", "rcpt", "code_class", "2xx").counter().count());
            assertEquals(2.0, registry.get("moat.smtp.replies").tags("stage", "rcpt", "code_class", "5xx").counter().count());
            assertEquals(1.0, registry.get("moat.smtp.replies").tags("stage", "message", "code_class", "5xx").counter().count());
            assertEquals(1.0, registry.get("moat.smtp.replies").tags("stage", "connect", "code_class", "2xx").counter().count());
            assertEquals(2, registry.get("moat.smtp.message.size").summary().count());
            assertEquals(2 * ("Subject: 0".length() + 2 + 2 + 100 + 2), registry.get("moat.smtp.message.size").summary().totalAmount());
            assertEquals(2.0, registry.get("moat.delivery").tags("route", "y.test", "mode", "capture", "result", "delivered")
                    .counter().count());
            assertEquals(2, registry.get("moat.delivery.duration").tag("route", "y.test").timer().count());
            LimitsSupport.eventually(Duration.ofSeconds(2), "the connection is counted as closed",
                    () -> registry.get("moat.smtp.connections.active").tag("listener", "test").gauge().value() == 0);
        }
    }
}
