package dev.moat.filters.headerchecks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A light, bounded reader of the header blocks of a message's MIME parts, for
 * {@code mime-part-headers: true}. The SPI's {@code MessageView.parts()} describes each part but does
 * not give its header fields, so this reads the raw message once, line by line, and follows the
 * {@code boundary} parameters of multipart entities and the header blocks of {@code message/rfc822}
 * parts. It does not decode anything.
 *
 * <p>Bounded: a line is kept up to {@link #MAX_LINE} bytes (the rest is skipped), at most
 * {@code maxBlocks} part header blocks are read, at most {@link #MAX_FIELDS} fields per block and at
 * most {@link #MAX_NESTING} nested boundaries are followed. Body lines are not copied unless they
 * start with {@code --}. Lenient like mail clients: a header block also ends at the first line that is
 * neither a field nor a continuation, and a part whose closing delimiter is missing ends at its
 * parent's next delimiter.
 */
final class PartHeaderScanner {

    /** Receives the fields of one part header block. */
    interface Visitor {
        /** One unfolded field; return false to stop scanning. */
        boolean field(String name, String value);
    }

    static final int MAX_LINE = 64 * 1024;
    static final int MAX_FIELDS = 1000;
    static final int MAX_NESTING = 64;

    private static final Pattern BOUNDARY = Pattern.compile(
            "(?i)(?:^|;)\\s*boundary\\s*=\\s*(?:\"([^\"]*)\"|([^;\\s\"]+))");

    private final InputStream in;
    private final int maxBlocks;
    private final byte[] buffer = new byte[MAX_LINE];
    private int length;
    private boolean eof;
    private int blocks;
    private final byte[] chunk = new byte[16 * 1024];
    private int chunkPos;
    private int chunkLen;

    private PartHeaderScanner(InputStream in, int maxBlocks) {
        this.in = in;
        this.maxBlocks = maxBlocks;
    }

    /**
     * Reads the message and calls {@code visitor} for every field of every part header block (the
     * top-level header is skipped: the filter reads it through {@code MessageView.headers()}).
     *
     * @return the number of part header blocks visited
     */
    static int scan(InputStream message, int maxBlocks, Visitor visitor) throws IOException {
        return new PartHeaderScanner(message, maxBlocks).run(visitor);
    }

    private int run(Visitor visitor) throws IOException {
        List<String> boundaries = new ArrayList<>();
        boolean inHeader = true;
        boolean topLevel = true;
        List<String[]> fields = new ArrayList<>();
        while (readLine()) {
            if (inHeader) {
                String line = text();
                boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
                if (continuation && !fields.isEmpty() && !line.isBlank()) {
                    String[] last = fields.get(fields.size() - 1);
                    last[1] = last[1] + line;
                    continue;
                }
                int colon = fieldColon(line);
                if (colon > 0 && !continuation) {
                    if (fields.size() < MAX_FIELDS) {
                        String value = line.substring(colon + 1);
                        fields.add(new String[] {line.substring(0, colon), value.startsWith(" ") ? value.substring(1) : value});
                    }
                    continue;
                }
                // End of the header block: an empty line, or (malformed) a line that is no field.
                if (!topLevel) {
                    for (String[] field : fields) {
                        if (!visitor.field(field[0], field[1])) {
                            return blocks;
                        }
                    }
                }
                topLevel = false;
                String contentType = contentTypeValue(fields);
                fields.clear();
                String type = typeOf(contentType);
                inHeader = false;
                if (type.startsWith("multipart/")) {
                    String boundary = boundaryOf(contentType);
                    if (boundary != null && boundaries.size() < MAX_NESTING) {
                        boundaries.add(boundary);
                    }
                } else if ((type.equals("message/rfc822") || type.equals("message/global")) && line.isEmpty()) {
                    // The body is a message: its header block comes next.
                    if (!nextBlock()) {
                        return blocks;
                    }
                    inHeader = true;
                    continue;
                }
                if (line.isEmpty()) {
                    continue;
                }
                // else the line that ended a malformed header block is the first body line
            }
            // Body line: only a delimiter of an open multipart matters.
            if (length < 3 || buffer[0] != '-' || buffer[1] != '-' || boundaries.isEmpty()) {
                continue;
            }
            String line = text().stripTrailing();
            for (int i = boundaries.size() - 1; i >= 0; i--) {
                String delimiter = "--" + boundaries.get(i);
                if (line.equals(delimiter)) {
                    trim(boundaries, i + 1);
                    if (!nextBlock()) {
                        return blocks;
                    }
                    inHeader = true;
                    break;
                }
                if (line.equals(delimiter + "--")) {
                    trim(boundaries, i);
                    break;
                }
            }
        }
        return blocks;
    }

    /** Counts a new part header block; false once the limit is reached. */
    private boolean nextBlock() {
        if (blocks >= maxBlocks) {
            return false;
        }
        blocks++;
        return true;
    }

    private static void trim(List<String> list, int size) {
        while (list.size() > size) {
            list.remove(list.size() - 1);
        }
    }

    /** The value of the block's Content-Type field, or null. */
    private static String contentTypeValue(List<String[]> fields) {
        for (String[] field : fields) {
            if (field[0].trim().equalsIgnoreCase("Content-Type")) {
                return field[1];
            }
        }
        return null;
    }

    /** The lower-case {@code type/subtype} of a Content-Type value; {@code text/plain} without one. */
    private static String typeOf(String contentType) {
        if (contentType == null) {
            return "text/plain";
        }
        String value = contentType.trim();
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** Index of the colon that ends a field name (printable ASCII, no colon), or -1. */
    private static int fieldColon(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ':') {
                return i;
            }
            if (c < 33 || c > 126) {
                return -1;
            }
        }
        return -1;
    }

    static String boundaryOf(String contentTypeValue) {
        Matcher m = BOUNDARY.matcher(contentTypeValue);
        if (!m.find()) {
            return null;
        }
        String b = m.group(1) != null ? m.group(1) : m.group(2);
        return b.isEmpty() ? null : b;
    }

    /** The current line without its line ending, one char per byte (ISO-8859-1, as the core reads headers). */
    private String text() {
        return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
    }

    private int read() throws IOException {
        if (chunkPos == chunkLen) {
            chunkLen = in.read(chunk);
            chunkPos = 0;
            if (chunkLen <= 0) {
                chunkLen = 0;
                return -1;
            }
        }
        return chunk[chunkPos++] & 0xFF;
    }

    /** Reads the next line into the buffer (without CR LF, at most MAX_LINE bytes kept); false at the end. */
    private boolean readLine() throws IOException {
        if (eof) {
            return false;
        }
        length = 0;
        boolean any = false;
        int b;
        while ((b = read()) != -1) {
            any = true;
            if (b == '\n') {
                break;
            }
            if (length < MAX_LINE) {
                buffer[length++] = (byte) b;
            }
        }
        if (b == -1) {
            eof = true;
        }
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        return any;
    }
}
