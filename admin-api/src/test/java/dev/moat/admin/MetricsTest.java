package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static dev.moat.admin.AdminTestSupport.simpleMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scrape of {@code /metrics} after known traffic: the exposition is parsed and the counters must
 * match exactly what was sent.
 */
class MetricsTest {

    @TempDir
    Path dir;

    /** Messages sent; every even one also has a recipient the gate refuses at RCPT. */
    static final int MESSAGES = 7;
    static final int CONNECTIONS = 2;

    @Test
    void countersMatchTheTrafficExactly() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).filterType(AdminTestSupport.gateType())
                .yaml(adminYaml() + "filters:\n  - {name: bouncer, type: gate, reject-prefix: nobody}\n").start()) {
            int rejected = 0;
            int recipients = 0;
            List<String> ids = new ArrayList<>();
            // Two connections, several transactions each, so per-connection and per-transaction counts differ.
            RawSmtp[] clients = {RawSmtp.connect(gw.port()), RawSmtp.connect(gw.port())};
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    List<String> to = new ArrayList<>(List.of("user" + i + "@dest.test"));
                    if (i % 2 == 0) {
                        to.add("nobody" + i + "@dest.test");
                        rejected++;
                    }
                    recipients += to.size();
                    RawSmtp c = clients[i % CONNECTIONS];
                    ids.add(sendMail(c, "s" + i + "@client.test", to,
                            simpleMessage("s" + i + "@client.test", to.get(0), "metrics " + i, "x".repeat(100 * i)), i < CONNECTIONS));
                }
                for (RawSmtp c : clients) {
                    assertTrue(c.command("QUIT").startsWith("221"));
                }
            } finally {
                for (RawSmtp c : clients) {
                    c.close();
                }
            }
            assertEquals(MESSAGES, ids.stream().filter(id -> id != null).count());

            HttpResponse<String> r = get(gw, "/metrics", null);
            assertEquals(200, r.statusCode());
            Exposition m = Exposition.parse(r.body());

            // The chain runtime's meters (recorded by the core, named moat.filter.*).
            String[] bouncer = {"filter", "bouncer", "type", "gate"};
            assertEquals(rejected, m.value("moat_filter_verdicts_total", with(bouncer, "stage", "rcptTo", "verdict", "reject")));
            assertEquals(recipients - rejected, m.value("moat_filter_verdicts_total", with(bouncer, "stage", "rcptTo", "verdict", "next")));
            assertEquals(MESSAGES, m.value("moat_filter_verdicts_total", with(bouncer, "stage", "data", "verdict", "next")));
            assertEquals(2, m.find("moat_filter_verdicts_total", "stage", "rcptTo").size(), "only next and reject at RCPT");
            assertEquals(recipients, m.value("moat_filter_duration_seconds_count", with(bouncer, "stage", "rcptTo")));
            assertEquals(MESSAGES, m.value("moat_filter_duration_seconds_count", with(bouncer, "stage", "data")));
            assertTrue(m.value("moat_filter_duration_seconds_sum", with(bouncer, "stage", "rcptTo")) > 0);
            // Histogram buckets from AdminMetrics: cumulative, the +Inf bucket equals the count.
            assertEquals(recipients, m.value("moat_filter_duration_seconds_bucket", with(bouncer, "stage", "rcptTo", "le", "+Inf")));
            assertTrue(m.value("moat_filter_duration_seconds_bucket", with(bouncer, "stage", "rcptTo", "le", "0.001"))
                    <= m.value("moat_filter_duration_seconds_bucket", with(bouncer, "stage", "rcptTo", "le", "30.0")));

            // The SMTP meters of the core.
            assertEquals(MESSAGES, m.value("moat_smtp_transactions_total", "listener", "test", "result", "accepted"));
            assertEquals(1, m.find("moat_smtp_transactions_total").size(), "no other transaction result: " + m.find("moat_smtp_transactions_total"));
            assertEquals(CONNECTIONS, m.value("moat_smtp_connections_total", "listener", "test"));
            assertEquals(0, m.value("moat_smtp_connections_active", "listener", "test"));
            assertEquals(rejected, m.value("moat_smtp_replies_total", "stage", "rcpt", "code_class", "5xx"));
            assertEquals(recipients - rejected, m.value("moat_smtp_replies_total", "stage", "rcpt", "code_class", "2xx"));
            assertEquals(MESSAGES, m.value("moat_smtp_message_size_bytes_count", "listener", "test"));
            assertEquals(MESSAGES, m.value("moat_delivery_total", "route", "*", "mode", "capture", "result", "delivered"));
            assertEquals(MESSAGES, m.value("moat_delivery_duration_seconds_count", "route", "*"));

            // JVM and process binders.
            assertTrue(m.find("jvm_memory_used_bytes", "area", "heap").size() > 0);
            assertTrue(m.value("process_uptime_seconds") > 0);
            assertTrue(m.has("process_files_open_files"));
            assertTrue(m.has("system_cpu_count"));
            assertTrue(m.has("jvm_gc_memory_allocated_bytes_total") || m.has("jvm_gc_pause_seconds_count"));
        }
    }

    private static String[] with(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
