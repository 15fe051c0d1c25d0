package dev.moat.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A running gateway with the admin server, an HTTP client for it, and an SMTP sender. */
final class AdminTestSupport {

    static final String TOKEN = "test-token-0123456789abcdef";

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as ([A-Za-z0-9._-]{1,64})");

    private AdminTestSupport() {
    }

    /** The admin block every test gateway uses: loopback, a free port, the test token. */
    static String adminYaml() {
        return "admin:\n  address: 127.0.0.1:0\n  token: " + TOKEN + "\n";
    }

    static AdminServer admin(TestGateway gw) {
        return gw.runtime().injector().getInstance(AdminServer.class);
    }

    static URI uri(TestGateway gw, String path) {
        return URI.create("http://127.0.0.1:" + admin(gw).port() + path);
    }

    static HttpRequest.Builder request(TestGateway gw, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(gw, path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    static HttpResponse<String> get(TestGateway gw, String path, String token) throws IOException, InterruptedException {
        return HTTP.send(request(gw, path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(TestGateway gw, String path) throws IOException, InterruptedException {
        return get(gw, path, TOKEN);
    }

    static HttpResponse<byte[]> getBytes(TestGateway gw, String path) throws IOException, InterruptedException {
        return HTTP.send(request(gw, path, TOKEN).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> send(TestGateway gw, String method, String path, String token)
            throws IOException, InterruptedException {
        return HTTP.send(request(gw, path, token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                "content type of " + response.uri() + ": " + response.headers().map());
        return JSON.readTree(response.body());
    }

    /** Asserts an error response: the status and the JSON {error, message}, no stack trace. */
    static JsonNode assertError(HttpResponse<String> response, int status, String error) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals(error, body.path("error").asText(), response.body());
        assertTrue(body.path("message").isTextual(), response.body());
        assertEquals(2, body.size(), response.body());
        assertTrue(!response.body().contains("\tat ") && !response.body().contains("Exception"), response.body());
        return body;
    }

    /**
     * Sends one message in its own connection: MAIL, each RCPT (the replies are returned), DATA if at
     * least one recipient was accepted. Returns the id the gateway gave it, or null if none.
     */
    static String sendMail(TestGateway gw, String from, List<String> to, String message) throws IOException {
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            return sendMail(c, from, to, message, true);
        }
    }

    /** As above on an open connection (greeting read when {@code fresh}); the connection stays open. */
    static String sendMail(RawSmtp c, String from, List<String> to, String message, boolean fresh) throws IOException {
        if (fresh) {
            assertTrue(c.lastLine().startsWith("220"));
            assertTrue(c.command("EHLO client.test").startsWith("250"));
        }
        assertTrue(c.command("MAIL FROM:<" + from + ">").startsWith("250"));
        int accepted = 0;
        for (String rcpt : to) {
            if (c.command("RCPT TO:<" + rcpt + ">").startsWith("250")) {
                accepted++;
            }
        }
        if (accepted == 0) {
            assertTrue(c.command("RSET").startsWith("250"));
            return null;
        }
        assertTrue(c.command("DATA").startsWith("354"));
        String reply = c.command(message.replace("\r\n", "\n").replace("\n", "\r\n") + (message.endsWith("\n") ? "" : "\r\n") + ".");
        Matcher m = QUEUED.matcher(reply);
        assertTrue(m.find(), reply);
        return m.group(1);
    }

    /** A message with Date, From, To, Subject and a text body. */
    static String simpleMessage(String from, String to, String subject, String body) {
        return "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject
                + "\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <" + System.nanoTime() + "@client.test>\r\n\r\n"
                + body + "\r\n";
    }

    /**
     * The test filter type {@code gate}: at RCPT it refuses recipients whose local part starts with
     * {@code reject-prefix} (550 5.7.1), at DATA it quarantines mail from {@code quarantine-sender}.
     * Its other settings exist to show masking in the API.
     */
    static FilterFactory gateType() {
        return new FilterFactory() {
            @Override
            public String type() {
                return "gate";
            }

            @Override
            public Set<String> settingKeys() {
                return Set.of("reject-prefix", "quarantine-sender", "api-key", "smtp-password", "options", "level", "community");
            }

            @Override
            public Set<String> secretKeys() {
                return Set.of("community"); // a secret whose name does not say so
            }

            @Override
            public Filter create(FilterSettings settings) {
                String prefix = settings.string("reject-prefix", "reject");
                String quarantine = settings.string("quarantine-sender", "quarantine@client.test");
                return new Filter() {
                    @Override
                    public Verdict rcptTo(dev.moat.filter.RcptContext context) {
                        return context.recipient().localPart().startsWith(prefix)
                                ? Verdict.reject(550, "5.7.1", "Recipient refused by the test gate")
                                : Verdict.next();
                    }

                    @Override
                    public Verdict data(dev.moat.filter.DataContext context) {
                        boolean match = context.envelope().sender().map(a -> a.toString().equals(quarantine)).orElse(false);
                        return match ? Verdict.quarantine("held by the test gate") : Verdict.next();
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }
}
