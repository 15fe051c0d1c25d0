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
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
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
        int colon = indexOf(bytes, (byte) ':');
        String name = new String(bytes, 0, colon, StandardCharsets.ISO_8859_1).trim();
        return new RawField(name, unfold(bytes, colon + 1), bytes);
    }

    /**
     * The value from {@code start}: CR and LF removed (unfolding), then one leading space removed, then
     * NUL turned into a space. One pass instead of four String.replace calls: this runs for every
     * field of every message.
     */
    static String unfold(byte[] bytes, int start) {
        char[] out = new char[bytes.length - start];
        int n = 0;
        boolean leading = true;
        for (int i = start; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\r' || b == '\n') {
                continue;
            }
            if (leading) {
                leading = false;
                if (b == ' ') {
                    continue;
                }
            }
            out[n++] = b == 0 ? ' ' : (char) (b & 0xFF);
        }
        return new String(out, 0, n);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
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
        if (position < limit) {
            out.write(buffer, position, limit - position);
            position = limit;
        }
        in.transferTo(out);
    }

    /**
     * The next line with its ending, or null at the end of the stream. Reads through a buffer of its
     * own: byte-by-byte reads of a stream cost more than the parse itself.
     */
    private byte[] readLine() throws IOException {
        int start = position;
        byte[] partial = null;
        int partialLength = 0;
        while (true) {
            for (int i = start; i < limit; i++) {
                if (buffer[i] == '\n' || partialLength + (i - start) + 1 >= MAX_LINE) {
                    return join(partial, partialLength, start, i + 1);
                }
            }
            if (start < limit) {
                int length = limit - start;
                if (partial == null) {
                    partial = new byte[Math.max(256, length * 2)];
                } else if (partialLength + length > partial.length) {
                    partial = java.util.Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + length));
                }
                System.arraycopy(buffer, start, partial, partialLength, length);
                partialLength += length;
            }
            int read = in.read(buffer, 0, buffer.length);
            if (read <= 0) {
                position = limit = 0;
                return partialLength == 0 ? null : java.util.Arrays.copyOf(partial, partialLength);
            }
            position = 0;
            limit = read;
            start = 0;
        }
    }

    /** The earlier partial bytes plus buffer[from, to), and moves the position past them. */
    private byte[] join(byte[] partial, int partialLength, int from, int to) {
        byte[] line = new byte[partialLength + (to - from)];
        if (partialLength > 0) {
            System.arraycopy(partial, 0, line, 0, partialLength);
        }
        System.arraycopy(buffer, from, line, partialLength, to - from);
        position = to;
        return line;
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
