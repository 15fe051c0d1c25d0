package dev.moat.core.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON forms of {@link QueuedEnvelope} (inside the message file) and {@link QueueState} (the
 * {@code .state} file), written out by hand so the on-disk format does not follow Java names
 * (format: docs/queue.md). Reading is strict: a missing field is an {@link IOException}.
 */
final class QueueJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private QueueJson() {
    }

    static byte[] envelope(QueuedEnvelope e) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", 1);
        root.put("id", e.id());
        root.put("route", e.route());
        root.put("receivedAt", e.receivedAt().toString());
        root.put("sender", e.sender());
        ArrayNode rcpts = root.putArray("recipients");
        for (QueuedRecipient r : e.recipients()) {
            ObjectNode n = rcpts.addObject();
            n.put("address", r.address());
            ArrayNode notify = n.putArray("notify");
            r.notifyOn().stream().sorted().forEach(notify::add);
            n.put("orcpt", r.orcpt().orElse(null));
        }
        ObjectNode params = root.putObject("mailParameters");
        e.mailParameters().forEach(params::put);
        root.put("ret", e.ret().orElse(null));
        root.put("envid", e.envid().orElse(null));
        root.put("clientIp", e.clientIp());
        root.put("helo", e.helo());
        return MAPPER.writeValueAsBytes(root);
    }

    static QueuedEnvelope envelope(byte[] bytes) throws IOException {
        JsonNode root = MAPPER.readTree(bytes);
        List<QueuedRecipient> rcpts = new ArrayList<>();
        for (JsonNode n : array(root, "recipients")) {
            Set<String> notify = new HashSet<>();
            for (JsonNode k : array(n, "notify")) {
                notify.add(k.asText());
            }
            rcpts.add(new QueuedRecipient(text(n, "address"), notify, optional(n, "orcpt")));
        }
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = root.get("mailParameters");
        if (p != null && p.isObject()) {
            p.fields().forEachRemaining(f -> params.put(f.getKey(), f.getValue().asText()));
        }
        try {
            return new QueuedEnvelope(text(root, "id"), text(root, "route"), Instant.parse(text(root, "receivedAt")),
                    text(root, "sender"), rcpts, params, optional(root, "ret"), optional(root, "envid"),
                    text(root, "clientIp"), text(root, "helo"));
        } catch (RuntimeException ex) {
            throw new IOException("invalid queue envelope: " + ex.getMessage(), ex);
        }
    }

    static byte[] state(QueueState s) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("attempts", s.attempts());
        root.put("nextAttempt", s.nextAttempt().toString());
        root.put("held", s.held());
        root.put("lastAttempt", s.lastAttempt().map(Instant::toString).orElse(null));
        ArrayNode rcpts = root.putArray("recipients");
        for (RecipientState r : s.recipients()) {
            ObjectNode n = rcpts.addObject();
            n.put("address", r.address());
            n.put("status", r.status().name().toLowerCase(java.util.Locale.ROOT));
            n.put("lastReply", r.lastReply().orElse(null));
            n.put("remoteMta", r.remoteMta().orElse(null));
        }
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    static QueueState state(byte[] bytes) throws IOException {
        JsonNode root = MAPPER.readTree(bytes);
        List<RecipientState> rcpts = new ArrayList<>();
        try {
            for (JsonNode n : array(root, "recipients")) {
                rcpts.add(new RecipientState(text(n, "address"),
                        RecipientState.Status.valueOf(text(n, "status").toUpperCase(java.util.Locale.ROOT)),
                        optional(n, "lastReply"), optional(n, "remoteMta")));
            }
            JsonNode attempts = root.get("attempts");
            JsonNode held = root.get("held");
            if (attempts == null || !attempts.isInt() || held == null || !held.isBoolean()) {
                throw new IllegalArgumentException("attempts or held missing");
            }
            return new QueueState(attempts.asInt(), Instant.parse(text(root, "nextAttempt")), held.asBoolean(), rcpts,
                    optional(root, "lastAttempt").map(Instant::parse));
        } catch (RuntimeException ex) {
            throw new IOException("invalid queue state: " + ex.getMessage(), ex);
        }
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) throws IOException {
        JsonNode a = node == null ? null : node.get(field);
        if (a == null || !a.isArray()) {
            throw new IOException("'" + field + "' missing or not a list");
        }
        return a;
    }

    private static String text(JsonNode node, String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("'" + field + "' missing or not a string");
        }
        return v.asText();
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
