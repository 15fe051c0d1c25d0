package dev.moat.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON output: plain maps, lists, strings, numbers and booleans, rendered by one shared mapper. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    static byte[] bytes(Object value) {
        try {
            byte[] body = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
            byte[] withNewline = java.util.Arrays.copyOf(body, body.length + 1);
            withNewline[body.length] = '\n';
            return withNewline;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /** A map built in insertion order: {@code map("a", 1, "b", 2)}. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
