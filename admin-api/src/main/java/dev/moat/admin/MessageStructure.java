package dev.moat.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawBody;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;

/**
 * The parsed structure of a stored message — its header fields and its MIME entities in document
 * order — from one pass of Mime4j's streaming {@link MimeTokenStream}; no part is held in memory.
 *
 * <p>Bounded: at most {@link #MAX_HEADER_FIELDS} fields are returned per entity, at most
 * {@link #MAX_PARTS} entities, nesting at most {@link #MAX_DEPTH} deep, fields of at most
 * {@link #MAX_FIELD_BYTES} and lines of at most {@link #MAX_LINE_BYTES}. Past a bound the walk stops
 * and the result says {@code "truncated": true}; a message Mime4j cannot parse gives what was read
 * so far plus {@code "parseError"}. The walk reads the whole message once (to size each part), so
 * its cost is bounded by the gateway's {@code limits.max-message-size}.
 */
final class MessageStructure {

    static final int MAX_HEADER_FIELDS = 500;
    /** Mime4j's own bound on the fields of one entity; past it the walk ends with a parse error. */
    static final int MAX_PARSED_FIELDS = 10_000;
    static final int MAX_PARTS = 1000;
    static final int MAX_DEPTH = 20;
    static final int MAX_FIELD_BYTES = 256 * 1024;
    static final int MAX_LINE_BYTES = 1024 * 1024;

    private MessageStructure() {
    }

    /** Walks the message; the caller closes the stream. */
    static Map<String, Object> walk(InputStream message) throws IOException {
        MimeConfig config = new MimeConfig.Builder()
                .setStrictParsing(false)
                .setMaxLineLen(MAX_LINE_BYTES)
                .setMaxHeaderLen(MAX_FIELD_BYTES)
                .setMaxHeaderCount(MAX_PARSED_FIELDS)
                .setMaxContentLen(-1)
                .build();
        MimeTokenStream stream = new MimeTokenStream(config);
        stream.parse(message);

        List<Map<String, Object>> parts = new ArrayList<>();
        List<Map<String, Object>> rootHeaders = new ArrayList<>();
        Deque<Map<String, Object>> open = new ArrayDeque<>();
        Map<String, Object> current = null;
        List<Map<String, Object>> currentHeaders = null;
        boolean truncated = false;
        String parseError = null;
        int depth = -1;
        try {
            walk:
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                switch (state) {
                    case T_START_MESSAGE, T_START_BODYPART -> {
                        depth++;
                        if (depth > MAX_DEPTH || parts.size() >= MAX_PARTS) {
                            truncated = true;
                            break walk;
                        }
                        current = new LinkedHashMap<>();
                        current.put("index", parts.size());
                        current.put("depth", depth);
                        currentHeaders = new ArrayList<>();
                        parts.add(current);
                        open.push(current);
                    }
                    case T_FIELD -> {
                        if (currentHeaders == null) {
                            break;
                        }
                        Field field = stream.getField();
                        if (currentHeaders.size() < MAX_HEADER_FIELDS) {
                            currentHeaders.add(header(field));
                        } else {
                            truncated = true;
                        }
                        describeField(current, field);
                    }
                    case T_END_HEADER -> {
                        if (current != null) {
                            completeType(current, open);
                            if (depth == 0 && rootHeaders.isEmpty()) {
                                rootHeaders.addAll(currentHeaders);
                            }
                            currentHeaders = null;
                        }
                    }
                    case T_BODY -> {
                        if (current != null) {
                            current.put("size", count(stream.getInputStream()));
                        }
                    }
                    case T_END_MESSAGE, T_END_BODYPART -> {
                        if (!open.isEmpty()) {
                            open.pop();
                        }
                        current = open.peek();
                        depth--;
                    }
                    default -> {
                        // preamble, epilogue, end of multipart: nothing to describe
                    }
                }
            }
        } catch (MimeException | RuntimeException e) {
            parseError = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        } finally {
            stream.stop();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("headers", rootHeaders);
        out.put("parts", parts);
        out.put("truncated", truncated);
        out.put("parseError", parseError);
        return out;
    }

    private static Map<String, Object> header(Field field) {
        byte[] raw = field.getRaw() != null ? field.getRaw().toByteArray() : null;
        if (raw != null) {
            List<HeaderSection.Field> parsed = HeaderSection.parse(HeaderSection.decode(raw)).fields();
            if (parsed.size() == 1) {
                return Json.map("name", parsed.get(0).name(), "value", parsed.get(0).value());
            }
        }
        return Json.map("name", field.getName(), "value", HeaderSection.decodeWords(field.getBody()));
    }

    /** Adds disposition, file name and content id from the entity's fields. */
    private static void describeField(Map<String, Object> part, Field field) {
        if (part == null) {
            return;
        }
        String name = field.getName().toLowerCase(Locale.ROOT);
        switch (name) {
            case "content-disposition" -> {
                RawBody body = parse(field);
                part.put("disposition", body.getValue().toLowerCase(Locale.ROOT));
                String filename = parameter(body, "filename");
                if (filename != null) {
                    part.put("filename", filename);
                }
            }
            case "content-type" -> {
                RawBody body = parse(field);
                String type = body.getValue().toLowerCase(Locale.ROOT);
                if (type.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")) {
                    part.put("contentType", type);
                    putIfPresent(part, "charset", parameter(body, "charset"));
                    if (type.startsWith("multipart/")) {
                        putIfPresent(part, "boundary", parameter(body, "boundary"));
                    }
                }
                String filename = parameter(body, "name");
                if (filename != null) {
                    part.putIfAbsent("filename", filename);
                }
            }
            case "content-transfer-encoding" -> part.put("transferEncoding", field.getBody().trim().toLowerCase(Locale.ROOT));
            case "content-id" -> part.put("contentId", field.getBody().trim());
            default -> {
                // other fields are listed, not interpreted
            }
        }
    }

    /**
     * The defaults of RFC 2045 and 2046 for what the fields did not say: {@code text/plain;
     * charset=us-ascii}, or {@code message/rfc822} inside a {@code multipart/digest}; {@code 7bit}.
     */
    private static void completeType(Map<String, Object> part, Deque<Map<String, Object>> open) {
        if (!part.containsKey("contentType")) {
            Map<String, Object> parent = null;
            for (Map<String, Object> candidate : open) {
                if (candidate != part) {
                    parent = candidate;
                    break;
                }
            }
            boolean digest = parent != null && "multipart/digest".equals(parent.get("contentType"));
            part.put("contentType", digest ? "message/rfc822" : "text/plain");
        }
        if (String.valueOf(part.get("contentType")).startsWith("text/")) {
            part.putIfAbsent("charset", "us-ascii");
        }
        part.putIfAbsent("transferEncoding", "7bit");
        // Field order in the JSON: the type first, whatever order the fields came in.
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String key : List.of("index", "depth", "contentType", "charset", "boundary", "transferEncoding")) {
            if (part.containsKey(key)) {
                ordered.put(key, part.remove(key));
            }
        }
        ordered.putAll(part);
        part.clear();
        part.putAll(ordered);
    }

    private static RawBody parse(Field field) {
        RawField raw = field instanceof RawField r ? r : new RawField(field.getName(), field.getBody());
        return RawFieldParser.DEFAULT.parseRawBody(raw);
    }

    /**
     * A parameter's value: {@code name*} (RFC 2231, {@code charset'lang'percent-encoded}) first, then
     * {@code name} with RFC 2047 encoded words decoded; RFC 2231 continuations are joined.
     */
    static String parameter(RawBody body, String name) {
        Map<String, String> params = new LinkedHashMap<>();
        for (NameValuePair pair : body.getParams()) {
            params.putIfAbsent(pair.getName().toLowerCase(Locale.ROOT), pair.getValue());
        }
        String extended = params.get(name + "*");
        if (extended == null && params.containsKey(name + "*0*")) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; params.containsKey(name + "*" + i + "*") || params.containsKey(name + "*" + i); i++) {
                String piece = params.getOrDefault(name + "*" + i + "*", params.get(name + "*" + i));
                joined.append(piece);
            }
            extended = joined.toString();
        }
        if (extended != null) {
            int first = extended.indexOf('\'');
            int second = first < 0 ? -1 : extended.indexOf('\'', first + 1);
            if (second > 0) {
                Charset charset;
                try {
                    charset = Charset.forName(extended.substring(0, first));
                } catch (RuntimeException e) {
                    charset = StandardCharsets.UTF_8;
                }
                try {
                    return URLDecoder.decode(extended.substring(second + 1).replace("+", "%2B"), charset);
                } catch (RuntimeException e) {
                    return extended.substring(second + 1);
                }
            }
            return extended;
        }
        String plain = params.get(name);
        if (plain == null && params.containsKey(name + "*0")) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; params.containsKey(name + "*" + i); i++) {
                joined.append(params.get(name + "*" + i));
            }
            plain = joined.toString();
        }
        return plain == null ? null : HeaderSection.decodeWords(plain);
    }

    private static void putIfPresent(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isEmpty()) {
            map.put(key, value);
        }
    }

    private static long count(InputStream body) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while ((n = body.read(buffer)) != -1) {
            total += n;
        }
        return total;
    }
}
