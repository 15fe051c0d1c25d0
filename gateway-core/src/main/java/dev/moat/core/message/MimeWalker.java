package dev.moat.core.message;

import dev.moat.filter.MimePart;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * Walks a message's MIME tree once with Mime4j's streaming parser and lists its entities. Lenient on
 * purpose (broken boundaries, bad headers, missing terminators are walked as mail clients show them),
 * because a filter must see what the recipient would see. Memory is bounded by the number of parts,
 * which is capped.
 *
 * <p>Only {@code Content-Type} and {@code Content-Disposition} are read, each with our small
 * {@link MimeFieldBody} parse (see {@link PartHeader}). Mime4j's descriptor builders parse
 * every MIME field with JavaCC parsers that allocate tens of kilobytes per field and end each parse
 * with a thrown exception; on a 4 KiB message they were most of the cost of the whole filter chain.
 * The stream gets no builder of ours, so it uses its own light fallback to find boundaries.
 */
final class MimeWalker {

    /** More entities than this are not listed: a message bomb must not exhaust memory. */
    static final int MAX_PARTS = 10_000;

    private static final MimeConfig CONFIG = MimeConfig.custom()
            .setMaxLineLen(-1)
            .setMaxHeaderLen(-1)
            .setMaxHeaderCount(-1)
            .setMaxContentLen(-1)
            .setStrictParsing(false)
            .build();

    private MimeWalker() {
    }

    static List<MimePart> walk(InputStream message) throws IOException {
        MimeTokenStream stream = new MimeTokenStream(CONFIG, DecodeMonitor.SILENT, null);
        stream.setRecursionMode(RecursionMode.M_RECURSE);
        List<MimePart> parts = new ArrayList<>();
        // Our own header record per open entity: the stream's descriptor is readable only in body
        // states, which a message/rfc822 part never reaches in recursive mode. A child starts from
        // its parent's default type (message/rfc822 inside multipart/digest).
        Deque<PartHeader> open = new ArrayDeque<>();
        byte[] skipBuffer = new byte[4096];
        try {
            stream.parse(message);
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                switch (state) {
                    case T_START_MESSAGE, T_START_BODYPART -> open.push(
                            open.isEmpty() ? PartHeader.topLevel() : open.peek().child());
                    case T_END_MESSAGE, T_END_BODYPART -> open.poll();
                    case T_FIELD -> {
                        if (!open.isEmpty()) {
                            Field field = stream.getField();
                            // The name first: the body is decoded into a String only for the two fields we read.
                            open.peek().add(field.getName(), field);
                        }
                    }
                    case T_END_HEADER -> {
                        if (parts.size() >= MAX_PARTS) {
                            return List.copyOf(parts);
                        }
                        if (!open.isEmpty()) {
                            PartHeader header = open.peek();
                            parts.add(new MimePart(header.contentType(), header.disposition(), header.filename(),
                                    0, open.size() - 1));
                        }
                    }
                    case T_BODY -> {
                        if (parts.isEmpty()) {
                            break;
                        }
                        long size = drain(stream.getInputStream(), skipBuffer);
                        int last = parts.size() - 1;
                        MimePart part = parts.get(last);
                        parts.set(last, new MimePart(part.contentType(), part.disposition(), part.filename(), size, part.depth()));
                    }
                    default -> {
                        // preamble, epilogue and multipart markers carry nothing we list
                    }
                }
            }
        } catch (MimeException | RuntimeException e) {
            // Lenient by contract: on a structure the parser gives up on, what was walked so far is
            // still the best answer (a filter must not fail a message for being odd).
        }
        return List.copyOf(parts);
    }

    /** Reads a body to its end and counts it, with one buffer per walk (transferTo takes 8 KiB per part). */
    private static long drain(InputStream body, byte[] buffer) throws IOException {
        long size = 0;
        for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
            size += n;
        }
        return size;
    }
}
