package dev.moat.core.message;

import dev.moat.filter.Header;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the message as it leaves Moat: Moat's Received header, the fields filters added, the original
 * header fields minus those removed, then the separator and body exactly as received. The body bytes
 * are copied, never parsed or re-encoded.
 */
public final class MessageAssembler {

    private MessageAssembler() {
    }

    public static void write(String receivedHeader, HeaderEdits edits, SpooledMessage message, OutputStream out)
            throws IOException {
        out.write(receivedHeader.getBytes(StandardCharsets.US_ASCII));
        try (InputStream in = message.openStream()) {
            if (edits.isEmpty()) {
                in.transferTo(out);
                return;
            }
            for (Header header : edits.added()) {
                // Header values are octets as ISO-8859-1 characters (as HeaderReader reads them), so a
                // field read and written back keeps its exact bytes, 8-bit ones included.
                out.write(fold(header).getBytes(StandardCharsets.ISO_8859_1));
            }
            BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
            HeaderReader reader = new HeaderReader(buffered);
            for (HeaderReader.RawField field = reader.next(); field != null; field = reader.next()) {
                if (!edits.removesOriginal(field.name())) {
                    out.write(field.raw());
                }
            }
            reader.copyRest(out);
        }
    }

    /** {@code Name: value} folded at white space so that no line exceeds 78 characters where possible. */
    static String fold(Header header) {
        String line = header.name() + ": " + header.value();
        if (line.length() <= 78) {
            return line + "\r\n";
        }
        StringBuilder out = new StringBuilder(line.length() + 16);
        int lineStart = 0;
        int lastSpace = -1;
        for (int i = header.name().length() + 2; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                lastSpace = i;
            }
            if (i - lineStart >= 78 && lastSpace > lineStart) {
                out.append(line, lineStart, lastSpace).append("\r\n");
                lineStart = lastSpace;
                lastSpace = -1;
            }
        }
        out.append(line, lineStart, line.length()).append("\r\n");
        return out.toString();
    }
}
