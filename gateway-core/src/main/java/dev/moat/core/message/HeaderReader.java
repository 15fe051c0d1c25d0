package dev.moat.core.message;

import dev.moat.filter.Header;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the header section of a message field by field, keeping each field's exact bytes, and leaves
 * the stream positioned so that {@link #copyRest} writes everything after the header byte for byte.
 * The header ends at the first empty line, or at the first line that is neither a field nor a
 * continuation (a malformed message: that line then belongs to the body, as mail clients show it).
 * Not thread-safe; one use per stream.
 */
final class HeaderReader {

    /** A header field as it stands in the message: its raw bytes including folding and CRLF. */
    record RawField(String name, String unfoldedValue, byte[] raw) {
        Header toHeader() {
            return new Header(name, unfoldedValue);
        }
    }

    private static final int MAX_LINE = 1024 * 1024;

    private final InputStream in;
    private byte[] lookahead;
    private boolean ended;

    HeaderReader(InputStream in) {
        this.in = in;
    }

    /** The next field, or null once the header section has ended. */
    RawField next() throws IOException {
        if (ended) {
            return null;
        }
        byte[] first = lookahead != null ? lookahead : readLine();
        lookahead = null;
        if (first == null || isBlank(first) || !isFieldStart(first)) {
            ended = true;
            lookahead = first;
            return null;
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream(first.length + 64);
        raw.write(first);
        while (true) {
            byte[] line = readLine();
            if (line != null && line.length > 0 && (line[0] == ' ' || line[0] == '\t') && !isBlank(line)) {
                raw.write(line);
            } else {
                lookahead = line;
                break;
            }
        }
        byte[] bytes = raw.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int colon = text.indexOf(':');
        String name = text.substring(0, colon).trim();
        String value = text.substring(colon + 1).replace("\r\n", "").replace("\n", "").replace("\r", "");
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        return new RawField(name, value.replace('\0', ' '), bytes);
    }

    /** Writes the rest of the message after the header fields: the separator line, then the body. */
    void copyRest(OutputStream out) throws IOException {
        while (next() != null) {
            // skip fields the caller did not read
        }
        if (lookahead != null) {
            out.write(lookahead);
            lookahead = null;
        }
        in.transferTo(out);
    }

    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n' || line.size() >= MAX_LINE) {
                break;
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    private static boolean isBlank(byte[] line) {
        return (line.length == 2 && line[0] == '\r' && line[1] == '\n') || (line.length == 1 && line[0] == '\n');
    }

    /** A field starts with a name of printable ASCII other than colon, then a colon (RFC 5322 §2.2). */
    private static boolean isFieldStart(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            byte c = line[i];
            if (c == ':') {
                return i > 0;
            }
            if (c < 33 || c > 126) {
                return false;
            }
        }
        return false;
    }
}
