package dev.moat.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.core.store.CaptureStore;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Shared helpers of the chain tests: ad-hoc filter types, SMTP dialogue shortcuts, store readers, the corpus. */
final class ChainTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChainTestSupport() {
    }

    /** Makes a filter from the settings of one configured instance. */
    @FunctionalInterface
    interface Maker {
        Filter make(FilterSettings settings) throws Exception;
    }

    /** A filter type for one test: its name, its setting keys and how it builds instances. */
    static FilterFactory type(String type, Set<String> keys, Maker maker) {
        return new FilterFactory() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Set<String> settingKeys() {
                return keys;
            }

            @Override
            public Filter create(FilterSettings settings) throws Exception {
                return maker.make(settings);
            }
        };
    }

    /** A filter type without settings that always returns the same instance. */
    static FilterFactory type(String type, Filter filter) {
        return type(type, Set.of(), s -> filter);
    }

    // ---------------------------------------------------------------------------------------------
    // SMTP

    /** Reads the banner and says EHLO; both must succeed. */
    static RawSmtp open(int port) throws IOException {
        RawSmtp c = RawSmtp.connect(port);
        String banner = c.lastLine();
        assertTrue(banner.startsWith("220 "), banner);
        String ehlo = c.command("EHLO client.example");
        assertTrue(ehlo.startsWith("250 "), ehlo);
        return c;
    }

    /** Sends DATA, the message (which must end with CRLF and be dot-stuffed already) and the final dot; returns the reply. */
    static String data(RawSmtp c, String message) throws IOException {
        String ready = c.command("DATA");
        assertEquals("354 End data with <CR><LF>.<CR><LF>", ready);
        c.send(message);
        return c.command(".");
    }

    /** A full transaction with the usual replies asserted on the way; returns the reply to the final dot. */
    static String transaction(RawSmtp c, String from, List<String> recipients, String message) throws IOException {
        assertEquals("250 2.1.0 Sender <" + from + "> OK", c.command("MAIL FROM:<" + from + ">"));
        for (String rcpt : recipients) {
            assertEquals("250 2.1.5 Recipient <" + rcpt + "> OK", c.command("RCPT TO:<" + rcpt + ">"));
        }
        return data(c, message);
    }

    /** The id in a {@code 250 2.0.0 Ok: queued as <id>} reply; fails on any other reply. */
    static String queuedId(String reply) {
        String prefix = "250 2.0.0 Ok: queued as ";
        assertTrue(reply.startsWith(prefix) && reply.length() > prefix.length(), reply);
        String id = reply.substring(prefix.length());
        assertTrue(id.matches("[A-Za-z0-9._-]{1,64}"), reply);
        return id;
    }

    // ---------------------------------------------------------------------------------------------
    // Stores

    /** The one message in {@code store}, which must hold exactly one, and its id must be {@code id}. */
    static StoredMessage only(CaptureStore store, String id) {
        List<StoredMessage> all = store.list();
        assertEquals(1, all.size(), () -> "messages in " + store.directory() + ": " + all);
        assertEquals(id, all.get(0).id());
        return all.get(0);
    }

    /**
     * Checks that {@code eml} starts with Moat's Received header for transaction {@code id} (with
     * {@code for <rcpt>} when {@code forRecipient} is not null) and returns everything after it.
     */
    static String afterReceived(String eml, String id, String forRecipient) {
        String regex = "Received: from client\\.example \\(\\[127\\.0\\.0\\.1\\]\\)\r\n"
                + "\tby mx\\.test\\.example \\(Moat\\) with ESMTP id " + java.util.regex.Pattern.quote(id)
                + (forRecipient == null ? "" : "\r\n\tfor <" + java.util.regex.Pattern.quote(forRecipient) + ">")
                + ";\r\n\t[A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\r\n";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(eml);
        assertTrue(m.lookingAt(), () -> "no Received header for " + id + " at the top of:\n" + eml);
        return eml.substring(m.end());
    }

    static JsonNode json(StoredMessage m) throws IOException {
        return JSON.readTree(Files.readAllBytes(m.jsonFile()));
    }

    static String eml(StoredMessage m) throws IOException {
        return Files.readString(m.emlFile(), StandardCharsets.ISO_8859_1);
    }

    static List<String> texts(JsonNode array) {
        assertTrue(array.isArray(), () -> "not an array: " + array);
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The verdicts array as {@code filter/type/stage/verdict/detail} strings. */
    static List<String> verdicts(JsonNode envelope) {
        JsonNode array = envelope.get("verdicts");
        assertTrue(array != null && array.isArray(), () -> "no verdicts array: " + envelope);
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (JsonNode v : array) {
            out.add(v.get("filter").asText() + "/" + v.get("type").asText() + "/" + v.get("stage").asText() + "/"
                    + v.get("verdict").asText() + "/" + v.get("detail").asText());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Corpus

    /** {@code shared/corpus/mime}, found by walking up from the working directory. */
    static Path corpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpus").resolve("mime");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/corpus/mime above " + Path.of("").toAbsolutePath());
    }

    /**
     * A corpus file as a client would send it: an mbox {@code From } line dropped, every line ending
     * made CRLF. Not dot-stuffed (see {@link #dotStuff}).
     */
    static byte[] corpusMessage(String name) throws IOException {
        byte[] raw = Files.readAllBytes(corpus().resolve(name));
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        if (text.startsWith("From ")) {
            text = text.substring(text.indexOf('\n') + 1);
        }
        text = text.replace("\r\n", "\n").replace("\n", "\r\n");
        if (!text.endsWith("\r\n")) {
            text += "\r\n";
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** RFC 5321 §4.5.2 transparency: a line starting with '.' gets another '.'. Input must use CRLF. */
    static byte[] dotStuff(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 16);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        return out.toByteArray();
    }

    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
