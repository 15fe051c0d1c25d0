package dev.moat.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bounds of the message walk and of the header read, without a gateway. */
class MessageStructureTest {

    private static Map<String, Object> walk(String crlfMessage) throws Exception {
        return MessageStructure.walk(new ByteArrayInputStream(crlfMessage.getBytes(StandardCharsets.UTF_8)));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        return (List<Map<String, Object>>) m.get(key);
    }

    @Test
    void plainMessage() throws Exception {
        Map<String, Object> m = walk("Subject: hi\r\nFrom: a@b.test\r\n\r\nbody\r\n");
        assertEquals(2, list(m, "headers").size());
        assertEquals(Map.of("name", "Subject", "value", "hi"), list(m, "headers").get(0));
        assertEquals(1, list(m, "parts").size());
        Map<String, Object> part = list(m, "parts").get(0);
        assertEquals("text/plain", part.get("contentType"));
        assertEquals(6L, part.get("size"));
        assertEquals(false, m.get("truncated"));
        assertNull(m.get("parseError"));
    }

    @Test
    void headerFieldsAreBounded() throws Exception {
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < MessageStructure.MAX_HEADER_FIELDS + 100; i++) {
            message.append("X-Field-").append(i).append(": value\r\n");
        }
        message.append("\r\nbody\r\n");
        Map<String, Object> m = walk(message.toString());
        assertEquals(MessageStructure.MAX_HEADER_FIELDS, list(m, "headers").size());
        assertEquals(true, m.get("truncated"));
    }

    @Test
    void nestingIsBounded() throws Exception {
        int depth = MessageStructure.MAX_DEPTH + 5;
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            message.append(i == 0 ? "" : "--b" + (i - 1) + "\r\n")
                    .append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n");
        }
        message.append("--b").append(depth - 1).append("\r\nContent-Type: text/plain\r\n\r\ndeep\r\n");
        for (int i = depth - 1; i >= 0; i--) {
            message.append("--b").append(i).append("--\r\n");
        }
        Map<String, Object> m = walk(message.toString());
        assertEquals(true, m.get("truncated"));
        List<Map<String, Object>> parts = list(m, "parts");
        assertEquals(MessageStructure.MAX_DEPTH + 1, parts.size());
        assertEquals(MessageStructure.MAX_DEPTH, parts.get(parts.size() - 1).get("depth"));
    }

    @Test
    void anOverlongFieldEndsTheWalkWithAParseError() throws Exception {
        String message = "Subject: ok\r\nX-Huge: " + "a".repeat(MessageStructure.MAX_FIELD_BYTES + 10) + "\r\n\r\nbody\r\n";
        Map<String, Object> m = walk(message);
        assertNotNull(m.get("parseError"));
        assertFalse(list(m, "parts").isEmpty());
    }

    @Test
    void headerSectionReadIsBounded() throws Exception {
        String big = "Subject: first\r\n" + "X-Pad: " + "p".repeat(200_000) + "\r\n\r\nbody";
        CountingStream in = new CountingStream(big.getBytes(StandardCharsets.US_ASCII));
        HeaderSection header = HeaderSection.read(in);
        assertEquals("first", header.first("subject").orElseThrow());
        assertTrue(in.read <= HeaderSection.MAX_BYTES, "read " + in.read);

        HeaderSection folded = HeaderSection.read(new ByteArrayInputStream(
                "Subject: =?ISO-8859-1?Q?caf=E9?=\r\n and more\r\nTo: x\r\n\r\nSubject: body\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("café and more", folded.first("Subject").orElseThrow());
        assertEquals(2, folded.fields().size());
    }

    private static final class CountingStream extends ByteArrayInputStream {
        int read;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read() {
            int b = super.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }
    }
}
