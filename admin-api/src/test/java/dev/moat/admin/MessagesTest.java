package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.getBytes;
import static dev.moat.admin.AdminTestSupport.json;
import static dev.moat.admin.AdminTestSupport.send;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static dev.moat.admin.AdminTestSupport.simpleMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.TestGateway;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture store and quarantine routes against mail sent through the running gateway. */
class MessagesTest {

    @TempDir
    static Path dir;

    static TestGateway gw;
    /** Ids of the captured messages in the order they were sent (oldest first). */
    static final List<String> sent = new ArrayList<>();
    static Instant middle;
    static String multipartId;
    static String quarantinedId;

    static final String MULTIPART = """
            From: Alice <alice@client.test>
            To: bob@dest.test
            Subject: =?UTF-8?Q?Quarterly_r=C3=A9port?= attached
            Date: Mon, 1 Jan 2024 00:00:00 +0000
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"
            X-Folded: first
             second

            preamble
            --outer
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 7bit

            Hello Bob,
            the report is attached.
            --outer
            Content-Type: application/pdf; name="ignored.pdf"
            Content-Disposition: attachment; filename*=UTF-8''r%C3%A9port%202024.pdf
            Content-Transfer-Encoding: base64
            Content-ID: <part2@client.test>

            JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K
            --outer--
            epilogue
            """;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.builder(dir).filterType(AdminTestSupport.gateType()).yaml(adminYaml() + """
                filters:
                  - {name: gatekeeper, type: gate, quarantine-sender: held@client.test}
                """).start();
        for (int i = 0; i < 6; i++) {
            String from = "sender" + i + "@client" + (i % 2) + ".test";
            String to = "rcpt" + i + "@dest" + (i % 3) + ".test";
            sent.add(sendMail(gw, from, List.of(to), simpleMessage(from, to, "Note number " + i, "body " + i)));
            Thread.sleep(5);
            if (i == 2) {
                middle = Instant.now();
                Thread.sleep(5);
            }
        }
        multipartId = sendMail(gw, "alice@client.test", List.of("bob@dest.test", "carol@dest.test"), MULTIPART);
        sent.add(multipartId);
        quarantinedId = sendMail(gw, "held@client.test", List.of("dan@dest.test"),
                simpleMessage("held@client.test", "dan@dest.test", "Suspicious", "hold me"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static List<String> ids(JsonNode list) {
        return StreamSupport.stream(list.path("messages").spliterator(), false).map(m -> m.path("id").asText()).toList();
    }

    private static JsonNode list(String query) throws Exception {
        HttpResponse<String> r = get(gw, "/api/v1/capture/messages" + query);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private static List<String> newestFirst(int from, int to) {
        List<String> out = new ArrayList<>(sent.subList(from, to));
        java.util.Collections.reverse(out);
        return out;
    }

    @Test
    void listsNewestFirstWithPaging() throws Exception {
        JsonNode all = list("");
        assertEquals(7, all.path("total").asInt());
        assertEquals(0, all.path("offset").asInt());
        assertEquals(50, all.path("limit").asInt());
        assertEquals(newestFirst(0, 7), ids(all));
        JsonNode first = all.path("messages").get(0);
        assertEquals("alice@client.test", first.path("sender").asText());
        assertEquals(2, first.path("recipients").size());
        assertEquals("Quarterly réport attached", first.path("subject").asText());
        assertEquals("Alice <alice@client.test>", first.path("from").asText());
        assertEquals("test", first.path("listener").asText());
        assertEquals("127.0.0.1", first.path("clientIp").asText());
        assertEquals(Files.size(dir.resolve("capture").resolve(multipartId + ".eml")), first.path("size").asLong());
        assertTrue(first.path("quarantineReason").isNull());

        JsonNode page = list("?offset=2&limit=3");
        assertEquals(7, page.path("total").asInt());
        assertEquals(newestFirst(2, 5), ids(page));
        assertEquals(List.of(), ids(list("?offset=7")));
        assertEquals(List.of(sent.get(0)), ids(list("?offset=6&limit=500")));
    }

    @Test
    void filtersBySenderRecipientSubjectAndTime() throws Exception {
        JsonNode bySender = list("?sender=CLIENT1.test");
        assertEquals(newestFirst(0, 6).stream().filter(id -> sent.indexOf(id) % 2 == 1).toList(), ids(bySender));
        assertEquals(3, bySender.path("total").asInt());

        assertEquals(List.of(sent.get(5), sent.get(2)), ids(list("?recipient=dest2.test")));
        assertEquals(List.of(multipartId), ids(list("?recipient=carol@")));
        assertEquals(List.of(sent.get(4)), ids(list("?subject=number%204")));
        assertEquals(List.of(multipartId), ids(list("?subject=" + URLEncoder.encode("RÉPORT", StandardCharsets.UTF_8))));
        assertEquals(List.of(), ids(list("?subject=no-such-subject")));

        String cut = URLEncoder.encode(middle.toString(), StandardCharsets.UTF_8);
        assertEquals(newestFirst(3, 7), ids(list("?since=" + cut)));
        assertEquals(newestFirst(0, 3), ids(list("?until=" + cut)));
        assertEquals(List.of(sent.get(1)), ids(list("?until=" + cut + "&sender=client1&limit=5")));
    }

    @Test
    void badListParametersAre400() throws Exception {
        for (String query : new String[] {"?limit=0", "?limit=501", "?limit=x", "?offset=-1", "?since=yesterday",
            "?recipients=a", "?limit=5&limit=6"}) {
            assertError(get(gw, "/api/v1/capture/messages" + query), 400, "bad_request");
        }
    }

    @Test
    void oneMessageWithEnvelopeHeadersAndParts() throws Exception {
        HttpResponse<String> r = get(gw, "/api/v1/capture/messages/" + multipartId);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode m = json(r);
        assertEquals(multipartId, m.path("id").asText());
        JsonNode envelope = m.path("envelope");
        assertEquals("alice@client.test", envelope.path("sender").asText());
        assertEquals("bob@dest.test", envelope.path("recipients").get(0).asText());
        assertEquals("carol@dest.test", envelope.path("recipients").get(1).asText());
        assertEquals("client.test", envelope.path("helo").asText());
        assertTrue(envelope.path("verdicts").isArray());
        assertEquals(m.path("size").asLong(), envelope.path("size").asLong());

        List<String> names = StreamSupport.stream(m.path("headers").spliterator(), false)
                .map(h -> h.path("name").asText()).toList();
        assertEquals("Received", names.get(0), "Moat's Received header comes first");
        assertTrue(names.containsAll(List.of("From", "To", "Subject", "Date", "MIME-Version", "Content-Type", "X-Folded")));
        assertEquals("Quarterly réport attached", header(m, "Subject"));
        assertEquals("first second", header(m, "X-Folded"));

        JsonNode parts = m.path("parts");
        assertEquals(3, parts.size(), parts.toString());
        assertEquals("multipart/mixed", parts.get(0).path("contentType").asText());
        assertEquals(0, parts.get(0).path("depth").asInt());
        assertEquals("outer", parts.get(0).path("boundary").asText());
        JsonNode text = parts.get(1);
        assertEquals("text/plain", text.path("contentType").asText());
        assertEquals("utf-8", text.path("charset").asText());
        assertEquals(1, text.path("depth").asInt());
        assertEquals("Hello Bob,\r\nthe report is attached.".length(), text.path("size").asInt());
        JsonNode pdf = parts.get(2);
        assertEquals("application/pdf", pdf.path("contentType").asText());
        assertEquals("attachment", pdf.path("disposition").asText());
        assertEquals("réport 2024.pdf", pdf.path("filename").asText());
        assertEquals("base64", pdf.path("transferEncoding").asText());
        assertEquals("<part2@client.test>", pdf.path("contentId").asText());
        assertFalse(m.path("truncated").asBoolean());
        assertTrue(m.path("parseError").isNull());
    }

    private static String header(JsonNode message, String name) {
        for (JsonNode h : message.path("headers")) {
            if (h.path("name").asText().equals(name)) {
                return h.path("value").asText();
            }
        }
        return null;
    }

    @Test
    void rawIsTheStoredFileByteForByte() throws Exception {
        HttpResponse<byte[]> r = getBytes(gw, "/api/v1/capture/messages/" + multipartId + "/raw");
        assertEquals(200, r.statusCode());
        assertEquals("message/rfc822", r.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(Files.readAllBytes(dir.resolve("capture").resolve(multipartId + ".eml")), r.body());
        assertError(get(gw, "/api/v1/capture/messages/" + multipartId + "/raw", null), 401, "unauthorized");
    }

    @Test
    void quarantineIsItsOwnStore() throws Exception {
        JsonNode q = json(get(gw, "/api/v1/quarantine/messages"));
        assertEquals(1, q.path("total").asInt());
        JsonNode only = q.path("messages").get(0);
        assertEquals(quarantinedId, only.path("id").asText());
        assertEquals("held by the test gate", only.path("quarantineReason").asText());
        assertEquals("Suspicious", only.path("subject").asText());
        JsonNode one = json(get(gw, "/api/v1/quarantine/messages/" + quarantinedId));
        assertEquals("held by the test gate", one.path("envelope").path("quarantineReason").asText());
        assertEquals("quarantine", one.path("envelope").path("verdicts").get(0).path("verdict").asText());
        assertArrayEquals(Files.readAllBytes(dir.resolve("quarantine").resolve(quarantinedId + ".eml")),
                getBytes(gw, "/api/v1/quarantine/messages/" + quarantinedId + "/raw").body());
        // Not visible in the capture store, and vice versa.
        assertError(get(gw, "/api/v1/capture/messages/" + quarantinedId), 404, "not_found");
        assertError(get(gw, "/api/v1/quarantine/messages/" + multipartId), 404, "not_found");
        assertEquals(1, json(get(gw, "/api/v1/status")).path("counts").path("quarantine").asInt());
    }

    @Test
    void deleteThen404() throws Exception {
        String id = sendMail(gw, "temp@client.test", List.of("temp@dest.test"),
                simpleMessage("temp@client.test", "temp@dest.test", "To delete", "x"));
        assertEquals(200, get(gw, "/api/v1/capture/messages/" + id).statusCode());
        assertError(send(gw, "DELETE", "/api/v1/capture/messages/" + id, null), 401, "unauthorized");
        assertError(send(gw, "DELETE", "/api/v1/quarantine/messages/" + id, TOKEN), 404, "not_found");

        HttpResponse<String> deleted = send(gw, "DELETE", "/api/v1/capture/messages/" + id, TOKEN);
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertEquals("", deleted.body());
        assertFalse(Files.exists(dir.resolve("capture").resolve(id + ".eml")));
        assertFalse(Files.exists(dir.resolve("capture").resolve(id + ".json")));

        assertError(get(gw, "/api/v1/capture/messages/" + id), 404, "not_found");
        assertError(get(gw, "/api/v1/capture/messages/" + id + "/raw"), 404, "not_found");
        assertError(send(gw, "DELETE", "/api/v1/capture/messages/" + id, TOKEN), 404, "not_found");
        assertFalse(ids(list("?limit=500")).contains(id));
    }

    @Test
    void aDamagedEnvelopeIsA500WithoutDetailsAndLeavesTheListingAlone() throws Exception {
        String id = sendMail(gw, "damaged@client.test", List.of("damaged@dest.test"),
                simpleMessage("damaged@client.test", "damaged@dest.test", "Damaged", "x"));
        try {
            Files.writeString(dir.resolve("capture").resolve(id + ".json"), "{not json");
            HttpResponse<String> r = get(gw, "/api/v1/capture/messages/" + id);
            String message = assertError(r, 500, "internal_error").path("message").asText();
            assertFalse(message.contains(dir.toString()), message);
            JsonNode all = list("?limit=500");
            assertFalse(ids(all).contains(id));
            assertEquals(7, all.path("total").asInt());
        } finally {
            assertEquals(204, send(gw, "DELETE", "/api/v1/capture/messages/" + id, TOKEN).statusCode());
        }
    }

    @Test
    void structureOfAPlainMessage() throws Exception {
        JsonNode m = json(get(gw, "/api/v1/capture/messages/" + sent.get(0)));
        assertEquals(1, m.path("parts").size());
        assertEquals("text/plain", m.path("parts").get(0).path("contentType").asText());
        assertEquals("us-ascii", m.path("parts").get(0).path("charset").asText().toLowerCase());
        assertEquals("Note number 0", header(m, "Subject"));
        assertNull(header(m, "Content-Type"));
    }
}
