package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static dev.moat.admin.AdminTestSupport.simpleMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped ops artefacts ({@code distribution/src/monitoring/}: the Grafana dashboard and the
 * Prometheus alert rules) against a real scrape: a gateway gets traffic that makes every family of
 * Moat metric appear (accepted, refused at RCPT, refused at the end of DATA, quarantined, over
 * STARTTLS), and every metric name, label matcher, grouping label and template label the artefacts
 * use must exist in {@code /metrics}. A renamed metric or label breaks this test, not a dashboard
 * silently showing "No data".
 */
class MonitoringArtefactsTest {

    /** The alerts the issue asks for; more may exist. */
    static final Set<String> REQUIRED_ALERTS = Set.of("MoatDown", "MoatNextHopFailing", "MoatRejectRatioSpike",
            "MoatFilterErrors", "MoatSpoolOrCaptureTrouble");

    /** Labels Prometheus attaches at scrape time; they are never in the exposition itself. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    /** Metric names of Moat and of the JVM/process binders, as they appear in PromQL. */
    static final Pattern METRIC = Pattern.compile("\\b((?:moat|jvm|process|system)_[a-z0-9_]+|up)\\b(?!\\s*\\()");
    static final Pattern MOAT_METRIC = Pattern.compile("moat_[a-z_]+");
    /** A selector's braces: {@code name{a="x", b=~"y"}}. */
    static final Pattern SELECTOR = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*\\{([^}]*)}");
    static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"");
    /** A grouping or matching clause: {@code by (a, b)}, {@code without (...)}, {@code on (...)}, {@code ignoring (...)}. */
    static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
    static final Pattern ALERT_LABEL = Pattern.compile("\\$labels\\.([a-zA-Z_][a-zA-Z0-9_]*)");
    static final Pattern DURATION = Pattern.compile("[0-9]+[smhd]");

    static final String PASSWORD = "moat-test";

    @TempDir
    static Path certDir;
    static Path certificate;
    static Path key;
    static SSLContext client;

    @TempDir
    Path dir;

    /** A self-signed certificate made with the JDK's keytool, written as the PEM files Moat reads. */
    @BeforeAll
    static void certificates() throws Exception {
        Path store = certDir.resolve("moat.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "moat", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=mx.test.example",
                "-ext", "SAN=dns:mx.test.example,dns:localhost,ip:127.0.0.1",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), output);

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Certificate cert = ks.getCertificate("moat");
        PrivateKey privateKey = (PrivateKey) ks.getKey("moat", PASSWORD.toCharArray());
        assertEquals("PKCS#8", privateKey.getFormat());
        certificate = Files.writeString(certDir.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
        key = Files.writeString(certDir.resolve("key.pem"), pem("PRIVATE KEY", privateKey.getEncoded()));

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("moat", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
    }

    @Test
    void dashboardAndAlertsUseOnlyMetricsAndLabelsTheGatewayExports() throws Exception {
        Exposition scrape = scrapeAfterTraffic();
        Map<String, Set<String>> exported = labelsByName(scrape);

        // --- The Grafana dashboard.
        Path dashboardFile = monitoring().resolve("grafana/moat-dashboard.json");
        JsonNode dashboard = AdminTestSupport.JSON.readTree(Files.readString(dashboardFile)); // fails if not JSON
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schemaVersion " + dashboard.path("schemaVersion"));
        assertFalse(dashboard.path("title").asText().isBlank());
        assertTrue(inputs(dashboard).contains("DS_PROMETHEUS"), "a DS_PROMETHEUS datasource input: " + dashboard.path("__inputs"));

        List<JsonNode> panels = new ArrayList<>();
        collectPanels(dashboard.path("panels"), panels);
        assertTrue(panels.size() >= 12, "panels: " + panels.size());
        Set<Integer> ids = new HashSet<>();
        Set<String> problems = new LinkedHashSet<>();
        int targets = 0;
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id " + panel.path("id") + " (" + title + ")");
            assertTrue(panel.path("gridPos").has("w") && panel.path("gridPos").has("h"), "gridPos of " + title);
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertFalse(title.isBlank(), "a panel without title: " + panel);
            assertEquals("${DS_PROMETHEUS}", panel.path("datasource").path("uid").asText(), "datasource of " + title);
            JsonNode ts = panel.path("targets");
            assertTrue(ts.isArray() && ts.size() > 0, "panel '" + title + "' has no target");
            for (JsonNode target : ts) {
                String expr = target.path("expr").asText();
                assertFalse(expr.isBlank(), "panel '" + title + "' has a target without expr");
                assertEquals("${DS_PROMETHEUS}", target.path("datasource").path("uid").asText(), "datasource of a target of " + title);
                check("panel '" + title + "'", expr, target.path("legendFormat").asText(""), LEGEND_LABEL, exported, problems);
                targets++;
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String query = variable.path("query").isObject()
                    ? variable.path("query").path("query").asText() : variable.path("query").asText();
            check("variable " + variable.path("name").asText(), query, "", LEGEND_LABEL, exported, problems);
        }

        // --- The Prometheus alert rules.
        Map<String, Object> rules = new Yaml().load(Files.readString(monitoring().resolve("prometheus/moat-alerts.yml")));
        List<Map<String, Object>> groups = list(rules.get("groups"));
        Map<String, Object> moat = groups.stream().filter(g -> "moat".equals(g.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no group 'moat' in " + rules));
        Set<String> alerts = new LinkedHashSet<>();
        for (Map<String, Object> rule : list(moat.get("rules"))) {
            String alert = (String) rule.get("alert");
            assertNotNull(alert, "a rule without 'alert' (recording rules do not belong here): " + rule);
            assertTrue(alerts.add(alert), "duplicate alert " + alert);
            String expr = String.valueOf(rule.get("expr"));
            assertFalse(rule.get("expr") == null || expr.isBlank(), alert + ": expr");
            assertTrue(rule.get("for") != null && DURATION.matcher(String.valueOf(rule.get("for"))).matches(),
                    alert + ": for " + rule.get("for"));
            Map<String, Object> labels = map(rule.get("labels"), alert + ": labels");
            assertTrue(Set.of("critical", "warning", "info").contains(String.valueOf(labels.get("severity"))),
                    alert + ": severity " + labels.get("severity"));
            Map<String, Object> annotations = map(rule.get("annotations"), alert + ": annotations");
            for (String a : List.of("summary", "description")) {
                assertTrue(annotations.get(a) instanceof String s && !s.isBlank(), alert + ": annotations." + a);
            }
            check("alert " + alert, expr, annotations.get("summary") + " " + annotations.get("description"),
                    ALERT_LABEL, exported, problems);
        }
        assertTrue(alerts.containsAll(REQUIRED_ALERTS), "alerts " + alerts + " lack some of " + REQUIRED_ALERTS);

        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\nexported: " + new TreeSet<>(exported.keySet()));
        assertTrue(targets >= 20, "targets: " + targets);

        // Every alert is explained to the operator.
        String docs = Files.readString(monitoring().resolve("../../../docs/monitoring.md").normalize());
        for (String alert : alerts) {
            assertTrue(docs.contains("`" + alert + "`"), "docs/monitoring.md does not describe " + alert);
        }
    }

    /**
     * Checks one PromQL expression: each metric name it selects is in the scrape (with its exact
     * suffix: {@code _total}, {@code _bucket}, {@code _sum}, {@code _count}), each label it matches on
     * or groups by belongs to one of its metrics, and each label a template uses ({@code {{route}}},
     * {@code $labels.route}) survives its aggregation.
     */
    private static void check(String where, String expr, String template, Pattern templateLabel,
            Map<String, Set<String>> exported, Set<String> problems) {
        String promql = expr.replaceAll("\\$\\{?[a-zA-Z_]+}?", "x"); // Grafana variables: $instance, $__rate_interval
        Matcher moatNames = MOAT_METRIC.matcher(promql);
        while (moatNames.find()) {
            if (!exported.containsKey(moatNames.group())) {
                problems.add(where + ": metric " + moatNames.group() + " is not in the scrape");
            }
        }
        Set<String> metrics = new LinkedHashSet<>();
        Matcher names = METRIC.matcher(promql);
        while (names.find()) {
            metrics.add(names.group(1));
        }
        assertFalse(metrics.isEmpty(), where + ": no metric in " + expr);
        Set<String> available = new HashSet<>(TARGET_LABELS);
        for (String name : metrics) {
            if (name.equals("up")) {
                continue;
            }
            if (!exported.containsKey(name)) {
                problems.add(where + ": metric " + name + " is not in the scrape");
                continue;
            }
            available.addAll(exported.get(name));
        }
        Matcher selector = SELECTOR.matcher(promql);
        while (selector.find()) {
            Set<String> own = new HashSet<>(TARGET_LABELS);
            own.addAll(exported.getOrDefault(selector.group(1), Set.of()));
            Matcher m = MATCHER.matcher(selector.group(2));
            while (m.find()) {
                if (!own.contains(m.group(1))) {
                    problems.add(where + ": " + selector.group(1) + " has no label '" + m.group(1) + "' (has " + own + ")");
                }
            }
        }
        Matcher grouping = GROUPING.matcher(promql);
        while (grouping.find()) {
            for (String label : labelList(grouping.group(1))) {
                if (!available.contains(label)) {
                    problems.add(where + ": grouping label '" + label + "' is on none of " + metrics);
                }
            }
        }
        // With an aggregation only its "by" labels survive; without one, the metrics' own labels do.
        Set<String> kept = new HashSet<>();
        Matcher by = BY.matcher(promql);
        while (by.find()) {
            kept.addAll(labelList(by.group(1)));
        }
        if (kept.isEmpty() && !promql.matches("(?s).*\\b(sum|min|max|avg|count|histogram_quantile)\\s*\\(.*")) {
            kept = available;
        }
        Matcher used = templateLabel.matcher(template);
        while (used.find()) {
            if (!kept.contains(used.group(1))) {
                problems.add(where + ": template label '" + used.group(1) + "' is not in the result of " + expr);
            }
        }
    }

    private static List<String> labelList(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Traffic that makes every Moat metric family appear, then the scrape; the counts are checked too. */
    private Exposition scrapeAfterTraffic() throws Exception {
        String yaml = adminYaml()
                + "filters:\n"
                + "  - {name: bouncer, type: gate, reject-prefix: nobody, quarantine-sender: held@client.test}\n"
                + "  - {name: judge, type: judge}\n"
                + "listeners:\n"
                + "  - name: mx\n"
                + "    address: 127.0.0.1:0\n"
                + "    tls:\n"
                + "      mode: starttls\n"
                + "      certificate: \"" + certificate + "\"\n"
                + "      key: \"" + key + "\"\n"
                // A queue route whose next hop never answers (port 1 of loopback: refused), so the
                // queue's series exist: one message stays queued, its first attempt deferred.
                + "queue:\n"
                + "  retry-schedule: [1h]\n"
                + "routes:\n"
                + "  - domains: [queued.test]\n"
                + "    mode: queue\n"
                + "    next-hops: [\"smtp://127.0.0.1:1\"]\n"
                + "  - domains: [\"*\"]\n"
                + "    mode: capture\n";
        try (TestGateway gw = TestGateway.builder(dir).filterType(AdminTestSupport.gateType()).filterType(judgeType())
                .yaml(yaml).start()) {
            // Plain text: accepted (one recipient refused at RCPT), quarantined, refused at the end of DATA.
            assertNotNull(sendMail(gw, "a@client.test", List.of("user@dest.test", "nobody@dest.test"),
                    simpleMessage("a@client.test", "user@dest.test", "accepted", "hello")));
            assertNotNull(sendMail(gw, "held@client.test", List.of("user@dest.test"),
                    simpleMessage("held@client.test", "user@dest.test", "held", "suspicious")));
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                assertTrue(c.lastLine().startsWith("220"));
                assertTrue(c.command("EHLO client.test").startsWith("250"));
                assertTrue(c.command("MAIL FROM:<refused@client.test>").startsWith("250"));
                assertTrue(c.command("RCPT TO:<user@dest.test>").startsWith("250"));
                assertTrue(c.command("DATA").startsWith("354"));
                String reply = c.command(simpleMessage("refused@client.test", "user@dest.test", "refused", "spam") + ".");
                assertTrue(reply.startsWith("550 5.7.1"), reply);
                assertTrue(c.command("QUIT").startsWith("221"));
            }
            // Over STARTTLS: one accepted message.
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                assertTrue(c.lastLine().startsWith("220"));
                assertTrue(c.command("EHLO client.test").startsWith("250"));
                assertTrue(c.command("STARTTLS").startsWith("220"));
                SSLSocket ssl = (SSLSocket) client.getSocketFactory().createSocket(c.socket(), "127.0.0.1", gw.port(), true);
                ssl.setUseClientMode(true);
                ssl.startHandshake();
                c.use(ssl);
                assertTrue(c.command("EHLO client.test").startsWith("250"), "EHLO again after STARTTLS");
                assertNotNull(sendMail(c, "t@client.test", List.of("user@dest.test"),
                        simpleMessage("t@client.test", "user@dest.test", "over tls", "secret"), false));
                assertTrue(c.command("QUIT").startsWith("221"));
            }

            // Into the durable queue: accepted on Moat's authority, then one attempt that is deferred.
            assertNotNull(sendMail(gw, "q@client.test", List.of("user@queued.test"),
                    simpleMessage("q@client.test", "user@queued.test", "queued", "later")));
            Exposition m = null;
            for (long deadline = System.nanoTime() + 20_000_000_000L; System.nanoTime() < deadline; Thread.sleep(100)) {
                HttpResponse<String> r = get(gw, "/metrics", null);
                assertEquals(200, r.statusCode());
                m = Exposition.parse(r.body());
                if (!m.find("moat_queue_recipients_total", "route", "queued.test", "result", "deferred").isEmpty()) {
                    break;
                }
            }
            assertEquals(1, m.value("moat_queue_recipients_total", "route", "queued.test", "result", "deferred"),
                    "the queued message's first attempt, deferred");
            assertEquals(1, m.value("moat_queue_depth", "route", "queued.test"));
            // Counters an alert takes increase() of exist at 0 before their first event.
            assertEquals(0, m.value("moat_queue_recipients_total", "route", "queued.test", "result", "bounced"));
            assertEquals(0, m.value("moat_queue_corrupt_total"));
            // The traffic did what the artefacts' queries are about.
            assertEquals(3, m.value("moat_smtp_transactions_total", "listener", "mx", "result", "accepted"));
            assertEquals(1, m.value("moat_smtp_transactions_total", "listener", "mx", "result", "rejected"));
            assertEquals(1, m.value("moat_smtp_transactions_total", "listener", "mx", "result", "quarantined"));
            assertEquals(1, m.value("moat_smtp_replies_total", "stage", "rcpt", "code_class", "5xx"));
            assertEquals(1, m.value("moat_filter_verdicts_total", "filter", "judge", "stage", "data", "verdict", "reject"));
            assertEquals(2, m.value("moat_delivery_total", "route", "*", "mode", "capture", "result", "delivered"));
            assertEquals(1, m.value("moat_delivery_total", "route", "*", "mode", "quarantine", "result", "delivered"));
            assertEquals(1, m.find("moat_smtp_tls_handshakes_total", "listener", "mx").size());
            assertEquals(5, m.value("moat_smtp_connections_total", "listener", "mx"));
            return m;
        }
    }

    /** Test filter type {@code judge}: refuses at the end of DATA the mail of {@code refused@client.test}. */
    static FilterFactory judgeType() {
        return new FilterFactory() {
            @Override
            public String type() {
                return "judge";
            }

            @Override
            public Set<String> settingKeys() {
                return Set.of();
            }

            @Override
            public Filter create(FilterSettings settings) {
                return new Filter() {
                    @Override
                    public Verdict data(DataContext context) {
                        boolean refuse = context.envelope().sender().map(a -> a.toString().equals("refused@client.test")).orElse(false);
                        return refuse ? Verdict.reject(550, "5.7.1", "Refused by the test judge") : Verdict.next();
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }

    private static Map<String, Set<String>> labelsByName(Exposition scrape) {
        Map<String, Set<String>> names = new LinkedHashMap<>();
        for (Exposition.Sample s : scrape.samples()) {
            names.computeIfAbsent(s.name(), n -> new HashSet<>()).addAll(s.labels().keySet());
        }
        return names;
    }

    /** {@code distribution/src/monitoring}, found from the working directory (the module or the root). */
    private static Path monitoring() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("distribution/src/monitoring");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("distribution/src/monitoring not found above " + Path.of("").toAbsolutePath());
    }

    private static Set<String> inputs(JsonNode dashboard) {
        Set<String> names = new HashSet<>();
        for (JsonNode input : dashboard.path("__inputs")) {
            if (input.path("pluginId").asText().equals("prometheus")) {
                names.add(input.path("name").asText());
            }
        }
        return names;
    }

    /** Panels, including those nested in collapsed rows. */
    private static void collectPanels(JsonNode list, List<JsonNode> into) {
        for (JsonNode panel : list) {
            into.add(panel);
            collectPanels(panel.path("panels"), into);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        assertTrue(o instanceof List, "expected a list: " + o);
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        assertTrue(o instanceof Map, what + " is not a map: " + o);
        return (Map<String, Object>) o;
    }

    private static String pem(String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
