package dev.moat.filter;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Read-only access to the message of a transaction, as the client sent it (dot-stuffing undone, CRLF
 * line endings, without Moat's own Received header and before any header mutation). The message lives
 * in Moat's spool, so it may be far larger than memory: stream it, never read it whole.
 */
public interface MessageView {

    /** The size in octets. */
    long size();

    /** The header fields in order; parsed once, on first use. */
    List<Header> headers() throws IOException;

    /** All header fields with this name (case-insensitive), in order. */
    default List<Header> headers(String name) throws IOException {
        return headers().stream().filter(h -> h.hasName(name)).toList();
    }

    /** A new stream over the raw message; the caller closes it. */
    InputStream openStream() throws IOException;

    /**
     * The MIME parts in document order, computed once with a streaming parser on first use. A broken
     * structure (missing boundary, bad headers) is walked leniently, as mail clients display it.
     */
    List<MimePart> parts() throws IOException;
}
