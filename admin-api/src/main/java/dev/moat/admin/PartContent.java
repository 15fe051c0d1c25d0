package dev.moat.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;

/**
 * Finds one MIME entity of a stored message by the index {@link MessageStructure} gives it (the
 * same walk, the same numbering) and hands its body over transfer-decoded (base64 and
 * quoted-printable undone), streaming, for the console's message view and attachment downloads.
 */
final class PartContent {

    /** A leaf entity's decoded body; close it. Text is decoded with {@code charset} (UTF-8 if unknown). */
    record Body(String mimeType, boolean text, Charset charset, InputStream content) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            content.close();
        }
    }

    private PartContent() {
    }

    /**
     * The body of entity {@code index}; empty if there is no such entity or it has no body of its
     * own (a multipart, an enclosed message). The stream reads from {@code message}; the caller
     * closes both.
     */
    static Optional<Body> open(InputStream message, int index) throws IOException {
        MimeConfig config = new MimeConfig.Builder()
                .setStrictParsing(false)
                .setMaxLineLen(MessageStructure.MAX_LINE_BYTES)
                .setMaxHeaderLen(MessageStructure.MAX_FIELD_BYTES)
                .setMaxHeaderCount(MessageStructure.MAX_PARSED_FIELDS)
                .setMaxContentLen(-1)
                .build();
        MimeTokenStream stream = new MimeTokenStream(config);
        stream.parse(message);
        int entity = -1;
        int depth = -1;
        try {
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                switch (state) {
                    case T_START_MESSAGE, T_START_BODYPART -> {
                        depth++;
                        entity++;
                        if (depth > MessageStructure.MAX_DEPTH || entity >= MessageStructure.MAX_PARTS || entity > index) {
                            return Optional.empty();
                        }
                    }
                    case T_END_MESSAGE, T_END_BODYPART -> depth--;
                    case T_BODY -> {
                        if (entity == index) {
                            var descriptor = stream.getBodyDescriptor();
                            String type = descriptor.getMimeType() == null ? "text/plain"
                                    : descriptor.getMimeType().toLowerCase(java.util.Locale.ROOT);
                            return Optional.of(new Body(type, type.startsWith("text/"), charset(descriptor.getCharset()),
                                    stream.getDecodedInputStream()));
                        }
                    }
                    default -> {
                        // headers, preamble, epilogue: not what is asked for
                    }
                }
            }
        } catch (MimeException e) {
            throw new IOException("the message cannot be parsed: " + e.getMessage(), e);
        }
        return Optional.empty();
    }

    private static Charset charset(String name) {
        if (name == null || name.isBlank()) {
            return StandardCharsets.US_ASCII;
        }
        try {
            return Charset.forName(name.trim());
        } catch (RuntimeException unknown) {
            return StandardCharsets.UTF_8; // the most likely truth for an unknown or misspelled label
        }
    }
}
