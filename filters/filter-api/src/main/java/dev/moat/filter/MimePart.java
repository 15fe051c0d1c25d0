package dev.moat.filter;

import java.util.Objects;
import java.util.Optional;

/**
 * One entity of the message's MIME tree, in document order (the top-level message first, depth 0).
 *
 * @param contentType lower-case {@code type/subtype}; {@code text/plain} where the header is missing
 * @param disposition lower-case {@code inline} or {@code attachment}, if the part has the header
 * @param filename    decoded file name from {@code Content-Disposition} or {@code Content-Type name=}
 * @param size        the part body's size in octets as transferred (still encoded); 0 for containers
 *                    (multiparts and message/rfc822 parts, whose content follows as deeper parts)
 * @param depth       nesting level: 0 for the message, 1 for its direct parts, …
 */
public record MimePart(String contentType, Optional<String> disposition, Optional<String> filename, long size, int depth) {
    public MimePart {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(filename, "filename");
        if (size < 0 || depth < 0) {
            throw new IllegalArgumentException("size and depth must not be negative");
        }
    }

    public boolean isMultipart() {
        return contentType.startsWith("multipart/");
    }
}
