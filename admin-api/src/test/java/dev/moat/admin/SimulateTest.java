package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.HTTP;
import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.json;
import static dev.moat.admin.AdminTestSupport.request;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static dev.moat.admin.AdminTestSupport.simpleMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moat.core.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/simulate} with built-in filters and a test filter: verdicts in order, nothing delivered. */
class SimulateTest {

    @TempDir
    static Path dir;

    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.builder(dir).filterType(AdminTestSupport.gateType()).yaml(adminYaml() + """
                filters:
                  - {name: gatekeeper, type: gate, reject-prefix: reject}
                  - {name: relay, type: relay-rules, accepted-domains: [dest.test], trusted-networks: [10.0.0.0/8]}
                  - name: hold
                    type: header-checks
                    rules:
                      - "/^X-Spam-Flag: YES/ HOLD flagged by the upstream scanner"
                      - "/^Subject: .*lottery/ REJECT no lottery"
                """).start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static HttpResponse<String> simulate(String body) throws Exception {
        return HTTP.send(request(gw, "/api/v1/simulate", TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(ObjectNode body) throws Exception {
        HttpResponse<String> r = simulate(body.toString());
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private static ObjectNode body(String ip, String from, String... to) {
        ObjectNode b = AdminTestSupport.JSON.createObjectNode();
        b.put("clientIp", ip);
        b.put("helo", "client.test");
        b.put("mailFrom", from);
        var rcpts = b.putArray("rcptTo");
        for (String t : to) {
            rcpts.add(t);
        }
        return b;
    }

    /** The verdicts as "stage recipient filter verdict" lines, in order. */
    private static List<String> verdicts(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : result.path("verdicts")) {
            out.add(v.path("stage").asText() + (v.has("recipient") ? " " + v.path("recipient").asText() : "") + " "
                    + v.path("filter").asText() + " " + v.path("verdict").asText());
        }
        return out;
    }

    @Test
    void anAcceptedMessageShowsEveryFilterInOrderAndItsRoute() throws Exception {
        ObjectNode b = body("192.0.2.10", "a@client.test", "bob@dest.test");
        b.put("message", "Subject: hello\n\nhi Bob\n");
        int captured = gw.capture().count();
        JsonNode r = ok(b);
        assertEquals("accepted", r.path("outcome").asText(), r.toString());
        assertEquals("data", r.path("stage").asText());
        assertEquals(250, r.path("reply").path("code").asInt());
        assertTrue(r.path("decidedBy").isNull());
        assertEquals("*", r.path("route").path("name").asText());
        assertEquals("capture", r.path("route").path("mode").asText());
        assertEquals(List.of(
                "rcptTo bob@dest.test gatekeeper next",
                "rcptTo bob@dest.test relay accept",
                "data gatekeeper next",
                "data hold next"), verdicts(r));
        assertEquals("[\"bob@dest.test\"]", r.path("deliverTo").toString());
        assertFalse(r.path("delivered").asBoolean());
        assertEquals(captured, gw.capture().count(), "a simulation delivers nothing");
        assertEquals(0, gw.spoolFiles(), "and leaves nothing in the spool");
    }

    @Test
    void eachRecipientGetsItsOwnVerdictsAndReply() throws Exception {
        JsonNode r = ok(body("192.0.2.10", "a@client.test", "reject-1@dest.test", "x@elsewhere.test", "bob@dest.test"));
        assertEquals("data-not-run", r.path("outcome").asText(), r.toString());
        assertEquals(List.of(
                "rcptTo reject-1@dest.test gatekeeper reject",
                "rcptTo x@elsewhere.test gatekeeper next",
                "rcptTo x@elsewhere.test relay reject",
                "rcptTo bob@dest.test gatekeeper next",
                "rcptTo bob@dest.test relay accept"), verdicts(r));
        JsonNode rcpts = r.path("recipients");
        assertFalse(rcpts.path(0).path("accepted").asBoolean());
        assertEquals(550, rcpts.path(0).path("reply").path("code").asInt());
        assertEquals("Recipient refused by the test gate", rcpts.path(0).path("reply").path("text").asText());
        assertEquals(554, rcpts.path(1).path("reply").path("code").asInt());
        assertEquals("5.7.1", rcpts.path(1).path("reply").path("enhancedStatus").asText());
        assertTrue(rcpts.path(2).path("accepted").asBoolean());
        assertEquals("reject", r.path("verdicts").path(0).path("verdict").asText());
        assertEquals(550, r.path("verdicts").path(0).path("reply").path("code").asInt());
    }

    @Test
    void aTrustedClientMayRelay() throws Exception {
        JsonNode r = ok(body("10.1.2.3", "a@client.test", "x@elsewhere.test"));
        assertTrue(r.path("recipients").path(0).path("accepted").asBoolean(), r.toString());
        assertEquals("rcptTo x@elsewhere.test relay accept", verdicts(r).get(1));
    }

    @Test
    void theDataStageCanRejectOrQuarantine() throws Exception {
        ObjectNode b = body("192.0.2.10", "a@client.test", "bob@dest.test");
        b.put("message", "Subject: you won the lottery\r\n\r\nclaim now\r\n");
        JsonNode r = ok(b);
        assertEquals("rejected", r.path("outcome").asText(), r.toString());
        assertEquals("data", r.path("stage").asText());
        assertEquals("550 5.7.1 no lottery", r.path("reply").path("code").asInt() + " "
                + r.path("reply").path("enhancedStatus").asText() + " " + r.path("reply").path("text").asText());
        assertEquals("hold", r.path("decidedBy").path("filter").asText());
        assertEquals("header-checks", r.path("decidedBy").path("type").asText());

        b.put("message", "Subject: hi\r\nX-Spam-Flag: YES\r\n\r\nbody\r\n");
        r = ok(b);
        assertEquals("quarantined", r.path("outcome").asText(), r.toString());
        assertEquals("header-checks rules[0]: flagged by the upstream scanner", r.path("quarantineReason").asText());
        assertEquals("data hold quarantine", verdicts(r).get(verdicts(r).size() - 1));
        assertEquals(0, gw.quarantine().count());
    }

    @Test
    void simulationsCountInNoLiveMetricAndRealMailDoes() throws Exception {
        // the only test that sends real mail; the others never do
        ok(body("192.0.2.10", "a@client.test", "bob@dest.test"));
        Exposition before = Exposition.parse(get(gw, "/metrics").body());
        assertTrue(before.find("moat_filter_verdicts_total", "filter", "relay").isEmpty(), before.toString());
        double accepted = before.find("moat_smtp_transactions_total", "result", "accepted").stream()
                .mapToDouble(Exposition.Sample::value).sum();
        ObjectNode b = body("192.0.2.10", "a@client.test", "bob@dest.test");
        b.put("message", "Subject: hello\r\n\r\nhi\r\n");
        ok(b);
        Exposition after = Exposition.parse(get(gw, "/metrics").body());
        assertEquals(accepted, after.find("moat_smtp_transactions_total", "result", "accepted").stream()
                .mapToDouble(Exposition.Sample::value).sum());
        assertTrue(after.find("moat_filter_verdicts_total", "filter", "relay").isEmpty(), after.toString());

        // the same mail over SMTP is counted: the live chain's metrics work
        sendMail(gw, "a@client.test", List.of("bob@dest.test"), simpleMessage("a@client.test", "bob@dest.test", "s", "b"));
        Exposition live = Exposition.parse(get(gw, "/metrics").body());
        assertEquals(1.0, live.value("moat_filter_verdicts_total", "filter", "relay", "stage", "rcptTo", "verdict", "accept"));
    }

    @Test
    void badRequestsAreRefusedNamingTheField() throws Exception {
        assertError(simulate("{\"clientIp\":\"192.0.2.1\",\"mailFrom\":\"a@b.test\",\"rcptTo\":[\"c@d.test\"],\"colour\":1}"),
                400, "bad_request");
        JsonNode e = assertError(simulate("{\"mailFrom\":\"a@b.test\",\"rcptTo\":[\"c@d.test\"]}"), 400, "bad_request");
        assertEquals("field 'clientIp' is required", e.path("message").asText());
        e = assertError(simulate("{\"clientIp\":\"mail.example\",\"mailFrom\":\"\",\"rcptTo\":[\"c@d.test\"]}"), 400, "bad_request");
        assertTrue(e.path("message").asText().startsWith("clientIp must be an IPv4 or IPv6 address"), e.toString());
        e = assertError(simulate("{\"clientIp\":\"192.0.2.1\",\"mailFrom\":\"\",\"rcptTo\":[]}"), 400, "bad_request");
        assertTrue(e.path("message").asText().startsWith("rcptTo must be"), e.toString());
        e = assertError(simulate("{\"clientIp\":\"192.0.2.1\",\"mailFrom\":\"no-at-sign\",\"rcptTo\":[\"c@d.test\"]}"), 400,
                "bad_request");
        assertTrue(e.path("message").asText().startsWith("mailFrom is not a valid address"), e.toString());
        assertError(simulate("{not json"), 400, "bad_request");
        assertError(simulate("{\"clientIp\":\"192.0.2.1\",\"mailFrom\":\"\",\"rcptTo\":[\"c@d.test\"],\"listener\":\"nope\"}"),
                400, "bad_request");
        HttpResponse<String> text = HTTP.send(request(gw, "/api/v1/simulate", TOKEN).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(text, 415, "unsupported_media_type");
        HttpResponse<String> anonymous = HTTP.send(request(gw, "/api/v1/simulate", null).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(anonymous, 401, "unauthorized");
        assertError(get(gw, "/api/v1/simulate"), 405, "method_not_allowed");
        // the null sender is allowed
        JsonNode r = ok(body("192.0.2.10", "", "bob@dest.test"));
        assertEquals("", r.path("sender").asText());
        assertEquals("data-not-run", r.path("outcome").asText());
    }
}
