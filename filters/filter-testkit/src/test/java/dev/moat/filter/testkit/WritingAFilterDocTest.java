package dev.moat.filter.testkit;

import static dev.moat.filter.testkit.VerdictAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.InvalidSettingException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/writing-a-filter.md shows only compiled code: every ```java block is preceded by
 * {@code <!-- code: <file>[#region] -->} and equals that file (or the region between its
 * {@code doc:begin}/{@code doc:end} lines, de-indented). The snippets kept in
 * {@link WritingAFilterSnippets} are run here too.
 */
class WritingAFilterDocTest {

    private static final Path ROOT = Path.of("../..");
    private static final Path DOC = ROOT.resolve("docs/writing-a-filter.md");
    private static final Pattern BLOCK = Pattern.compile("(?:<!-- code: ([^ ]+) -->\\n)?```java\\n(.*?)\\n```", Pattern.DOTALL);

    @Test
    void everyJavaBlockIsACompiledSourceShownExactly() throws IOException {
        String doc = Files.readString(DOC);
        Matcher m = BLOCK.matcher(doc);
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            String source = m.group(1);
            if (source == null) {
                throw new AssertionError("a java block without a <!-- code: file --> marker: " + m.group(2).lines().findFirst().orElse(""));
            }
            assertEquals(excerpt(source), m.group(2), "the doc's copy of " + source + " is out of date");
            checked.add(source);
        }
        assertTrue(checked.size() >= 9, "expected the example's files and the snippets, found " + checked);
    }

    /** The whole file, or the lines between "doc:begin name" and "doc:end name" with their common indentation removed. */
    static String excerpt(String source) throws IOException {
        int hash = source.indexOf('#');
        Path file = ROOT.resolve(hash < 0 ? source : source.substring(0, hash));
        String text = Files.readString(file);
        if (hash < 0) {
            return text.stripTrailing();
        }
        String name = source.substring(hash + 1);
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        for (String line : text.split("\n", -1)) {
            if (inside && line.contains("doc:end " + name)) {
                break;
            }
            if (inside) {
                lines.add(line);
            }
            if (line.contains("doc:begin " + name)) {
                inside = true;
            }
        }
        if (lines.isEmpty()) {
            throw new AssertionError("no region '" + name + "' in " + file);
        }
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent));
        }
        return String.join("\n", out).stripTrailing();
    }

    // --- the snippets do what the doc says ---

    @Test
    void notesCarryTheHeloFactToTheRecipients() {
        try (FilterHarness h = FilterHarness.of(new WritingAFilterSnippets.LiteralHeloFilter())) {
            assertThat(h.helo("[192.0.2.1]")).isNext();
            h.mailFrom("a@example.org");
            assertThat(h.rcptTo("b@example.com").verdict()).isRejected().withCode(550).withEnhancedCode("5.7.1");
            h.newConnection();
            assertThat(h.helo("mail.example.org")).isNext();
            h.mailFrom("a@example.org");
            assertThat(h.rcptTo("b@example.com").verdict()).isNext();
        }
    }

    @Test
    void theStateStoreCountsConnectionsPerClient() {
        FilterFactory factory = new FilterFactory() {
            @Override public String type() { return "connection-rate"; }
            @Override public Set<String> settingKeys() { return Set.of(); }
            @Override public Filter create(FilterSetup setup) { return new WritingAFilterSnippets.ConnectionRateFilter(setup, 2); }
        };
        try (FilterHarness h = FilterHarness.of(factory, Map.of())) {
            assertThat(h.connect()).isNext();
            assertThat(h.newConnection().connect()).isNext();
            assertThat(h.newConnection().connect()).isTempFailed().withCode(421).disconnects();
            h.newConnection(TestSession.builder().clientIp("198.51.100.9").build());
            assertThat(h.connect()).isNext();
            assertEquals(java.util.Optional.of("3"), h.state().get("connections:" + TestSession.DEFAULT_CLIENT_IP));
        }
    }

    @Test
    void theReputationLookupCachesAndHonoursItsPolicyWhenTheServiceIsDown() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        List<String> tokens = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String query = exchange.getRequestURI().getQuery();
            byte[] body = (query.equals("domain=spam.example") ? "bad" : "good").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/check";
        try (FilterHarness h = FilterHarness.of(new WritingAFilterSnippets.ReputationFactory(),
                Map.of("url", url, "api-token", "t0ken-value", "request-timeout", "2s"))) {
            assertThat(h.mailFrom("x@spam.example").verdict()).isRejected().withCode(550).withTextContaining("bad reputation");
            assertThat(h.mailFrom("y@SPAM.example").verdict()).isRejected();
            assertThat(h.mailFrom("a@example.org").verdict()).isNext();
            assertThat(h.mailFrom("").verdict()).isNext();
            assertEquals(2, requests.get(), "one request per domain; the second spam.example came from the cache");
            assertEquals(List.of("Bearer t0ken-value", "Bearer t0ken-value"), tokens);
            assertEquals(2.0, h.counter("cache.misses"));
            assertFalse(h.filter().toString().contains("t0ken-value"));
        } finally {
            server.stop(0);
        }
        // The service is gone: accept (the default) or tempfail, as configured.
        try (FilterHarness open = FilterHarness.of(new WritingAFilterSnippets.ReputationFactory(),
                Map.of("url", url, "api-token", "t", "request-timeout", "1s"));
                FilterHarness closed = FilterHarness.of(new WritingAFilterSnippets.ReputationFactory(),
                        Map.of("url", url, "api-token", "t", "request-timeout", "1s", "when-unavailable", "tempfail"))) {
            assertThat(open.mailFrom("a@example.net").verdict()).isNext();
            assertTrue(open.logLines().get(0).startsWith("WARNING reputation lookup for example.net failed"), open.logLines().toString());
            assertThat(closed.mailFrom("a@example.net").verdict()).isTempFailed().withCode(451).withEnhancedCode("4.4.3");
        }
        SettingsAssertions.assertRejected(new WritingAFilterSnippets.ReputationFactory(),
                Map.of("url", url, "api-token", "t", "when-unavailable", "maybe"), "when-unavailable");
        InvalidSettingException missing = SettingsAssertions.assertRejected(new WritingAFilterSnippets.ReputationFactory(),
                Map.of("url", url), "api-token");
        assertEquals("api-token: is required", missing.getMessage());
    }
}
