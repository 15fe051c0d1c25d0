package dev.moat.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

/**
 * The header section of a stored message, read without touching the body: at most
 * {@link #MAX_BYTES} bytes are read, up to the first empty line, so listing with a subject filter
 * costs one small read per candidate however large the messages are.
 */
final class HeaderSection {

    /** The most bytes read from a message to find its header section. */
    static final int MAX_BYTES = 64 * 1024;

    /** One header field: its name and its value, unfolded, with RFC 2047 encoded words decoded. */
    record Field(String name, String value) {
    }

    private final List<Field> fields;

    private HeaderSection(List<Field> fields) {
        this.fields = fields;
    }

    /** Reads the header section from the start of a message; the caller closes the stream. */
    static HeaderSection read(InputStream in) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream(4096);
        int previous = -1;
        int b;
        boolean lineStart = true;
        while (header.size() < MAX_BYTES && (b = in.read()) != -1) {
            if (lineStart && (b == '\n' || (b == '\r' && previous == '\n'))) {
                break; // an empty line (LF or CRLF) ends the header section
            }
            if (b == '\r' && lineStart) {
                previous = b;
                continue;
            }
            header.write(b);
            lineStart = b == '\n';
            previous = b;
        }
        return parse(decode(header.toByteArray()));
    }

    /** Splits unfolded fields; a line that is neither a field nor a continuation ends the section. */
    static HeaderSection parse(String text) {
        List<Field> fields = new ArrayList<>();
        StringBuilder current = null;
        for (String line : text.split("\r?\n", -1)) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(line); // folding: CRLF removed, whitespace kept (RFC 5322 §2.2.3)
                continue;
            }
            if (current != null) {
                add(fields, current.toString());
                current = null;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                break;
            }
            current = new StringBuilder(line);
        }
        if (current != null) {
            add(fields, current.toString());
        }
        return new HeaderSection(List.copyOf(fields));
    }

    private static void add(List<Field> fields, String unfolded) {
        int colon = unfolded.indexOf(':');
        String name = unfolded.substring(0, colon).trim();
        String value = unfolded.substring(colon + 1).strip();
        fields.add(new Field(name, decodeWords(value)));
    }

    /** Decodes RFC 2047 encoded words; a value that does not decode is returned as it is. */
    static String decodeWords(String value) {
        if (!value.contains("=?")) {
            return value;
        }
        try {
            return DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT);
        } catch (RuntimeException e) {
            return value;
        }
    }

    /** UTF-8 when the bytes are valid UTF-8 (SMTPUTF8 headers), else ISO-8859-1, byte for byte. */
    static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    List<Field> fields() {
        return fields;
    }

    /** The first field with this name (any case). */
    Optional<String> first(String name) {
        for (Field field : fields) {
            if (field.name().equalsIgnoreCase(name)) {
                return Optional.of(field.value());
            }
        }
        return Optional.empty();
    }

    /** Lower case, for case-insensitive matching. */
    static String fold(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
