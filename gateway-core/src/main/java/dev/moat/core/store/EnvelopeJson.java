package dev.moat.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts a {@link CapturedEnvelope} to and from the {@code <id>.json} format described in
 * {@code docs/capture-store.md}.
 *
 * <p>The mapping is written out by hand instead of letting Jackson bind the record: Jackson's
 * {@code Optional} and {@code Instant} support lives in modules this project does not ship, and an
 * explicit mapping keeps the on-disk format independent of Java field names. Reading is strict about
 * types and required fields (a damaged file is reported, never half-read) but ignores unknown fields
 * and accepts an absent optional as well as {@code null}, so newer or older gateways can share files.
 *
 * <p>Thread-safe: the {@link ObjectMapper} and {@link ObjectWriter} are only used after configuration.
 */
final class EnvelopeJson {

    static final String ID = "id";
    static final String RECEIVED_AT = "receivedAt";
    static final String LISTENER = "listener";
    static final String CLIENT_IP = "clientIp";
    static final String HELO = "helo";
    static final String TLS_PROTOCOL = "tlsProtocol";
    static final String TLS_CIPHER = "tlsCipher";
    static final String AUTHENTICATED_USER = "authenticatedUser";
    static final String SENDER = "sender";
    static final String RECIPIENTS = "recipients";
    static final String MAIL_PARAMETERS = "mailParameters";
    static final String VERDICTS = "verdicts";
    static final String QUARANTINE_REASON = "quarantineReason";
    static final String SIZE = "size";

    static final String V_FILTER = "filter";
    static final String V_TYPE = "type";
    static final String V_STAGE = "stage";
    static final String V_VERDICT = "verdict";
    static final String V_DETAIL = "detail";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private EnvelopeJson() {
    }

    /** The envelope as pretty-printed UTF-8 JSON, ending with a newline. */
    static byte[] toJson(CapturedEnvelope e) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put(ID, e.id());
        root.put(RECEIVED_AT, e.receivedAt().toString());
        root.put(LISTENER, e.listener());
        root.put(CLIENT_IP, e.clientIp());
        root.put(HELO, e.helo());
        root.put(TLS_PROTOCOL, e.tlsProtocol().orElse(null));
        root.put(TLS_CIPHER, e.tlsCipher().orElse(null));
        root.put(AUTHENTICATED_USER, e.authenticatedUser().orElse(null));
        root.put(SENDER, e.sender());
        ArrayNode recipients = root.putArray(RECIPIENTS);
        e.recipients().forEach(recipients::add);
        ObjectNode params = root.putObject(MAIL_PARAMETERS);
        e.mailParameters().forEach(params::put);
        ArrayNode verdicts = root.putArray(VERDICTS);
        for (VerdictRecord v : e.verdicts()) {
            ObjectNode node = verdicts.addObject();
            node.put(V_FILTER, v.filter());
            node.put(V_TYPE, v.type());
            node.put(V_STAGE, v.stage());
            node.put(V_VERDICT, v.verdict());
            node.put(V_DETAIL, v.detail());
        }
        root.put(QUARANTINE_REASON, e.quarantineReason().orElse(null));
        root.put(SIZE, e.size());
        byte[] body = PRETTY.writeValueAsBytes(root);
        byte[] withNewline = new byte[body.length + 1];
        System.arraycopy(body, 0, withNewline, 0, body.length);
        withNewline[body.length] = '\n';
        return withNewline;
    }

    /**
     * Parses an envelope.
     *
     * @throws IOException if the bytes are not JSON, a required field is missing or has the wrong
     *                     type, or the values break a {@link CapturedEnvelope} rule
     */
    static CapturedEnvelope fromJson(byte[] json) throws IOException {
        JsonNode root = MAPPER.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IOException("envelope JSON is not an object");
        }
        try {
            return new CapturedEnvelope(
                    text(root, ID),
                    instant(root, RECEIVED_AT),
                    text(root, LISTENER),
                    text(root, CLIENT_IP),
                    text(root, HELO),
                    optionalText(root, TLS_PROTOCOL),
                    optionalText(root, TLS_CIPHER),
                    optionalText(root, AUTHENTICATED_USER),
                    text(root, SENDER),
                    textList(root, RECIPIENTS),
                    textMap(root, MAIL_PARAMETERS),
                    verdicts(root),
                    optionalText(root, QUARANTINE_REASON),
                    longValue(root, SIZE));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("envelope JSON breaks a rule: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode parent, String field) throws IOException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new IOException("missing field \"" + field + "\"");
        }
        return node;
    }

    private static String text(JsonNode parent, String field) throws IOException {
        JsonNode node = required(parent, field);
        if (!node.isTextual()) {
            throw new IOException("field \"" + field + "\" is not a string");
        }
        return node.textValue();
    }

    private static Optional<String> optionalText(JsonNode parent, String field) throws IOException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IOException("field \"" + field + "\" is neither a string nor null");
        }
        return Optional.of(node.textValue());
    }

    private static Instant instant(JsonNode parent, String field) throws IOException {
        String value = text(parent, field);
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IOException("field \"" + field + "\" is not an ISO-8601 instant: " + value, e);
        }
    }

    private static long longValue(JsonNode parent, String field) throws IOException {
        JsonNode node = required(parent, field);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new IOException("field \"" + field + "\" is not an integer");
        }
        return node.longValue();
    }

    private static List<String> textList(JsonNode parent, String field) throws IOException {
        JsonNode node = required(parent, field);
        if (!node.isArray()) {
            throw new IOException("field \"" + field + "\" is not an array");
        }
        List<String> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw new IOException("field \"" + field + "\" holds a non-string element");
            }
            values.add(element.textValue());
        }
        return values;
    }

    private static Map<String, String> textMap(JsonNode parent, String field) throws IOException {
        JsonNode node = required(parent, field);
        if (!node.isObject()) {
            throw new IOException("field \"" + field + "\" is not an object");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new IOException("field \"" + field + "." + entry.getKey() + "\" is not a string");
            }
            values.put(entry.getKey(), entry.getValue().textValue());
        }
        return values;
    }

    private static List<VerdictRecord> verdicts(JsonNode parent) throws IOException {
        JsonNode node = required(parent, VERDICTS);
        if (!node.isArray()) {
            throw new IOException("field \"" + VERDICTS + "\" is not an array");
        }
        List<VerdictRecord> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isObject()) {
                throw new IOException("field \"" + VERDICTS + "\" holds a non-object element");
            }
            values.add(new VerdictRecord(
                    text(element, V_FILTER),
                    text(element, V_TYPE),
                    text(element, V_STAGE),
                    text(element, V_VERDICT),
                    text(element, V_DETAIL)));
        }
        return values;
    }
}
