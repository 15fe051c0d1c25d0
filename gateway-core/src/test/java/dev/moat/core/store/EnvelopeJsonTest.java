package dev.moat.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeJsonTest {

    private static final String MINIMAL = """
            {
              "id": "m1",
              "receivedAt": "2025-03-01T10:00:00Z",
              "listener": "inbound",
              "clientIp": "192.0.2.1",
              "helo": "",
              "sender": "",
              "recipients": ["bob@example.org"],
              "mailParameters": {},
              "verdicts": [],
              "size": 7
            }
            """;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static CapturedEnvelope full() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SIZE", "1234");
        params.put("BODY", "8BITMIME");
        params.put("SMTPUTF8", "");
        return new CapturedEnvelope("tx-1.a_B", Instant.parse("2025-03-01T10:00:00.123456789Z"), "inbound",
                "2001:db8::1", "mx.example.net", Optional.of("TLSv1.3"), Optional.of("TLS_AES_256_GCM_SHA384"),
                Optional.of("relay-user"), "jörg@exämple.net", List.of("bob@example.org", "\"q u\"@example.org"),
                params,
                List.of(new VerdictRecord("spam", "spamd", "DATA", "QUARANTINE", "score=9.1 \"high\"\n"),
                        new VerdictRecord("av", "clamd", "DATA", "ACCEPT", "")),
                Optional.of("spam score 9.1"), 1234);
    }

    @Test
    void roundTripsEveryField() throws IOException {
        CapturedEnvelope e = full();
        assertEquals(e, EnvelopeJson.fromJson(EnvelopeJson.toJson(e)));
        CapturedEnvelope back = EnvelopeJson.fromJson(EnvelopeJson.toJson(e));
        assertEquals(List.of("SIZE", "BODY", "SMTPUTF8"), new ArrayList<>(back.mailParameters().keySet()));
    }

    @Test
    void writesDocumentedFieldNamesPrettyPrintedWithNullOptionals() throws IOException {
        CapturedEnvelope e = new CapturedEnvelope("m1", Instant.parse("2025-03-01T10:00:00Z"), "inbound", "192.0.2.1",
                "", Optional.empty(), Optional.empty(), Optional.empty(), "", List.of("bob@example.org"), Map.of(),
                List.of(), Optional.empty(), 7);
        String text = new String(EnvelopeJson.toJson(e), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\n  \"id\" : \"m1\",\n"), text);
        assertTrue(text.endsWith("}\n"), text);
        JsonNode node = new ObjectMapper().readTree(text);
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("id", "receivedAt", "listener", "clientIp", "helo", "tlsProtocol", "tlsCipher",
                "authenticatedUser", "sender", "recipients", "mailParameters", "verdicts", "quarantineReason", "size"),
                names);
        assertEquals("2025-03-01T10:00:00Z", node.get("receivedAt").textValue());
        assertTrue(node.get("tlsProtocol").isNull());
        assertTrue(node.get("tlsCipher").isNull());
        assertTrue(node.get("authenticatedUser").isNull());
        assertTrue(node.get("quarantineReason").isNull());
        assertEquals("", node.get("sender").textValue());
        assertEquals(7L, node.get("size").longValue());
    }

    @Test
    void acceptsAbsentOptionalsAndIgnoresUnknownFields() throws IOException {
        CapturedEnvelope e = EnvelopeJson.fromJson(utf8(MINIMAL.replace("\"size\": 7", "\"size\": 7, \"future\": {\"x\": 1}")));
        assertEquals(Optional.empty(), e.tlsProtocol());
        assertEquals(Optional.empty(), e.tlsCipher());
        assertEquals(Optional.empty(), e.authenticatedUser());
        assertEquals(Optional.empty(), e.quarantineReason());
        assertEquals(Instant.parse("2025-03-01T10:00:00Z"), e.receivedAt());
        assertEquals(7, e.size());
    }

    @Test
    void rejectsDamagedDocumentsWithIOException() {
        List<String> bad = List.of(
                "",
                "[]",
                "{not json",
                MINIMAL.replace("\"id\": \"m1\",", ""),
                MINIMAL.replace("\"m1\"", "\"a/b\""),
                MINIMAL.replace("\"size\": 7", "\"size\": \"7\""),
                MINIMAL.replace("\"size\": 7", "\"size\": 7.5"),
                MINIMAL.replace("\"size\": 7", "\"size\": -1"),
                MINIMAL.replace("[\"bob@example.org\"]", "[]"),
                MINIMAL.replace("[\"bob@example.org\"]", "\"bob@example.org\""),
                MINIMAL.replace("[\"bob@example.org\"]", "[1]"),
                MINIMAL.replace("\"2025-03-01T10:00:00Z\"", "\"yesterday\""),
                MINIMAL.replace("\"helo\": \"\"", "\"helo\": null"),
                MINIMAL.replace("\"mailParameters\": {}", "\"mailParameters\": {\"SIZE\": 5}"),
                MINIMAL.replace("\"verdicts\": []", "\"verdicts\": [{\"filter\": \"f\"}]"),
                MINIMAL.replace("\"listener\": \"inbound\",", "\"listener\": \"inbound\", \"tlsCipher\": 5,"));
        for (String doc : bad) {
            assertThrows(IOException.class, () -> EnvelopeJson.fromJson(utf8(doc)), doc);
        }
    }
}
