package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.getBytes;
import static dev.moat.admin.AdminTestSupport.json;
import static dev.moat.admin.AdminTestSupport.send;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.TestGateway;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/quarantine/messages/{id}/release}: messages held by the built-in
 * header-checks filter over real SMTP, released to a real SMTP server behind an inline route, or
 * into the capture store for a capture route.
 */
class ReleaseTest {

    @TempDir
    Path dir;

    private SmtpSink sink;
    private TestGateway gw;

    /** A header that header-checks holds, a line starting with a dot, 8-bit text and a long line. */
    private static final String HELD = "From: <s@client.test>\r\nTo: <bob@dest.test>\r\nSubject: release me\r\n"
            + "X-Spam-Flag: YES\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n\r\n"
            + "Hello Bob,\r\n.a line that starts with a dot\r\n..two dots\r\nCaf\u00e9 cr\u00e8me\r\n" + "x".repeat(900) + "\r\n";

    @BeforeEach
    void start() throws Exception {
        sink = new SmtpSink();
        gw = TestGateway.builder(dir).reloadable().yaml(yaml(sink.port())).start();
    }

    private static String yaml(int port) {
        return adminYaml() + """
                filters:
                  - name: hold
                    type: header-checks
                    rules:
                      - "/^X-Spam-Flag: YES/ HOLD flagged by the upstream scanner"
                routes:
                  - domains: [dest.test]
                    mode: inline
                    next-hops: ["smtp://127.0.0.1:%d"]
                  - domains: [queued.test]
                    mode: queue
                    next-hops: ["smtp://127.0.0.1:%d"]
                  - domains: ["*"]
                    mode: capture
                """.formatted(port, port);
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
        sink.close();
    }

    private String quarantine(List<String> to) throws Exception {
        // sendMail does not dot-stuff: the lines starting with a dot are stuffed here, as a client does
        String stuffed = HELD.replace("\r\n.", "\r\n..");
        String id = sendMail(gw, "s@client.test", to, new String(stuffed.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        assertTrue(gw.quarantine().find(id).isPresent(), "held by header-checks");
        assertEquals(0, sink.messages.size(), "nothing reached the next hop yet");
        return id;
    }

    private HttpResponse<String> release(String id) throws Exception {
        return send(gw, "POST", "/api/v1/quarantine/messages/" + id + "/release", TOKEN);
    }

    @Test
    void aReleasedMessageReachesTheNextHopByteForByteAndLeavesTheQuarantine() throws Exception {
        String id = quarantine(List.of("bob@dest.test", "carol@dest.test"));
        byte[] stored = getBytes(gw, "/api/v1/quarantine/messages/" + id + "/raw").body();

        HttpResponse<String> r = release(id);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(id, body.path("id").asText());
        assertTrue(body.path("released").asBoolean());
        assertEquals("dest.test", body.path("route").asText());
        assertEquals("inline", body.path("mode").asText());
        assertEquals(250, body.path("reply").path("code").asInt());
        assertTrue(body.path("reply").path("text").asText().contains("via next hop: 2.0.0 Ok: queued as SINK1")
                || body.path("reply").path("text").asText().contains("via next hop: Ok: queued as SINK1"), body.toString());

        assertEquals(1, sink.messages.size());
        SmtpSink.Message got = sink.messages.get(0);
        assertEquals("s@client.test", got.mailFrom());
        assertEquals(List.of("bob@dest.test", "carol@dest.test"), got.recipients());
        assertArrayEquals(stored, got.content(), "the next hop got the stored message, byte for byte");
        String text = new String(got.content(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Received: from client.test"), text);
        assertTrue(text.endsWith(HELD), "the original message follows Moat's Received field unchanged");

        assertTrue(gw.quarantine().find(id).isEmpty(), "removed from the quarantine once delivered");
        assertError(release(id), 404, "not_found");
        Exposition m = Exposition.parse(get(gw, "/metrics").body());
        assertEquals(1.0, m.value("moat_quarantine_releases_total", "result", "released"));
    }

    @Test
    void aRefusalByTheNextHopKeepsTheMessageInTheQuarantine() throws Exception {
        String id = quarantine(List.of("bob@dest.test"));
        sink.refuseData = true;
        JsonNode error = assertError(release(id), 502, "release_failed");
        assertEquals("not delivered, the message stays in the quarantine: 554 5.6.0 Message refused by next hop: "
                + "554 Refused by the sink", error.path("message").asText());
        assertTrue(gw.quarantine().find(id).isPresent(), "still held");
        assertEquals(0, sink.messages.size());

        sink.refuseData = false; // the next hop is fixed: the same release now works
        assertEquals(200, release(id).statusCode());
        assertEquals(1, sink.messages.size());
        assertTrue(gw.quarantine().find(id).isEmpty());
    }

    @Test
    void aMessageForAQueueRouteIsQueuedAndTheQueueDeliversIt() throws Exception {
        String id = quarantine(List.of("erin@queued.test"));
        byte[] stored = getBytes(gw, "/api/v1/quarantine/messages/" + id + "/raw").body();
        HttpResponse<String> r = release(id);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("queue", body.path("mode").asText(), body.toString());
        assertEquals("queued.test", body.path("route").asText());
        assertEquals(250, body.path("reply").path("code").asInt());
        assertTrue(gw.quarantine().find(id).isEmpty(), "the queue has it now");
        for (long deadline = System.nanoTime() + 10_000_000_000L; sink.messages.isEmpty() && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
        }
        assertEquals(1, sink.messages.size(), "the queue's worker delivered it");
        SmtpSink.Message got = sink.messages.get(0);
        assertEquals("s@client.test", got.mailFrom());
        assertEquals(List.of("erin@queued.test"), got.recipients());
        assertArrayEquals(stored, got.content(), "the next hop got the stored message, byte for byte");
    }

    @Test
    void aMessageForACaptureRouteGoesToTheCaptureStore() throws Exception {
        String id = quarantine(List.of("dave@other.test"));
        byte[] stored = getBytes(gw, "/api/v1/quarantine/messages/" + id + "/raw").body();
        HttpResponse<String> r = release(id);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("capture", json(r).path("mode").asText());
        assertEquals("*", json(r).path("route").asText());
        assertTrue(gw.quarantine().find(id).isEmpty());
        try (InputStream in = gw.capture().openMessage(id)) {
            assertArrayEquals(stored, in.readAllBytes());
        }
        JsonNode captured = json(get(gw, "/api/v1/capture/messages/" + id));
        assertEquals("dave@other.test", captured.path("envelope").path("recipients").path(0).asText());
        assertTrue(captured.path("envelope").path("quarantineReason").isNull()
                || captured.path("envelope").path("quarantineReason").isMissingNode(), captured.toString());
        assertEquals(0, sink.messages.size());
    }

    @Test
    void recipientsThatNowSpanTwoRoutesAreNotReleasedAtAll() throws Exception {
        String id = quarantine(List.of("x@one.test", "y@two.test")); // both on the catch-all
        gw.writeConfig(yaml(sink.port()).replace("domains: [dest.test]", "domains: [dest.test, one.test]"));
        assertEquals(200, send(gw, "POST", "/api/v1/config/reload", TOKEN).statusCode());
        JsonNode error = assertError(release(id), 409, "no_route");
        assertTrue(error.path("message").asText().contains("more than one route"), error.toString());
        assertTrue(gw.quarantine().find(id).isPresent());
        assertEquals(0, sink.messages.size());
        assertEquals(0, gw.capture().count());
    }

    @Test
    void badRequests() throws Exception {
        assertError(release("NOSUCHID"), 404, "not_found");
        assertError(send(gw, "POST", "/api/v1/capture/messages/X/release", TOKEN), 404, "not_found");
        String id = quarantine(List.of("bob@dest.test"));
        assertError(send(gw, "POST", "/api/v1/quarantine/messages/" + id + "/release", null), 401, "unauthorized");
        HttpResponse<String> r = get(gw, "/api/v1/quarantine/messages/" + id + "/release");
        assertError(r, 405, "method_not_allowed");
        assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
        assertTrue(gw.quarantine().find(id).isPresent());
    }
}
