package dev.moat.core.message;

import dev.moat.filter.MimePart;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.message.DefaultBodyDescriptorBuilder;
import org.apache.james.mime4j.message.MaximalBodyDescriptor;
import org.apache.james.mime4j.stream.BodyDescriptorBuilder;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * The MIME walk as it was before {@link MimeWalker} read the two fields itself: Mime4j's descriptor
 * builders (its JavaCC field parsers) decide type, disposition and filename. Kept as the oracle of
 * {@link MimeWalkerTest}: the two walks must agree wherever the old one was right.
 */
final class ReferenceMimeWalker {

    /** More entities than this are not listed: a message bomb must not exhaust memory. */
    static final int MAX_PARTS = 10_000;

    private ReferenceMimeWalker() {
    }

    static List<MimePart> walk(InputStream message) throws IOException {
        MimeConfig config = MimeConfig.custom()
                .setMaxLineLen(-1)
                .setMaxHeaderLen(-1)
                .setMaxHeaderCount(-1)
                .setMaxContentLen(-1)
                .setStrictParsing(false)
                .build();
        MimeTokenStream stream = new MimeTokenStream(config, DecodeMonitor.SILENT, new DefaultBodyDescriptorBuilder());
        stream.setRecursionMode(RecursionMode.M_RECURSE);
        List<MimePart> parts = new ArrayList<>();
        // Our own descriptor per entity: the stream's is readable only in body states, which a
        // message/rfc822 part never reaches in recursive mode. newChild() carries the parent's
        // defaults (e.g. message/rfc822 inside multipart/digest).
        Deque<BodyDescriptorBuilder> builders = new ArrayDeque<>();
        try {
            stream.parse(message);
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                switch (state) {
                    case T_START_MESSAGE, T_START_BODYPART -> builders.push(
                            builders.isEmpty() ? new DefaultBodyDescriptorBuilder() : builders.peek().newChild());
                    case T_END_MESSAGE, T_END_BODYPART -> builders.poll();
                    case T_FIELD -> {
                        if (!builders.isEmpty()) {
                            builders.peek().addField(new RawField(stream.getField().getName(), stream.getField().getBody()));
                        }
                    }
                    case T_END_HEADER -> {
                        if (parts.size() >= MAX_PARTS) {
                            return List.copyOf(parts);
                        }
                        if (!builders.isEmpty()) {
                            MaximalBodyDescriptor descriptor = (MaximalBodyDescriptor) builders.peek().build();
                            parts.add(describe(descriptor, 0, builders.size() - 1));
                        }
                    }
                    case T_BODY -> {
                        if (parts.isEmpty()) {
                            break;
                        }
                        long size = stream.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                        int last = parts.size() - 1;
                        MimePart part = parts.get(last);
                        parts.set(last, new MimePart(part.contentType(), part.disposition(), part.filename(), size, part.depth()));
                    }
                    default -> {
                        // preamble, epilogue, fields and multipart markers carry nothing we list
                    }
                }
            }
        } catch (MimeException | RuntimeException e) {
            // Lenient by contract: on a structure the parser gives up on, what was walked so far is
            // still the best answer (a filter must not fail a message for being odd).
        }
        return List.copyOf(parts);
    }

    private static MimePart describe(MaximalBodyDescriptor d, long size, int depth) {
        String type = d.getMimeType() == null ? "text/plain" : d.getMimeType().toLowerCase(Locale.ROOT);
        Optional<String> disposition = Optional.ofNullable(d.getContentDispositionType())
                .map(s -> s.toLowerCase(Locale.ROOT));
        String name = d.getContentDispositionFilename();
        if (name == null || name.isEmpty()) {
            name = d.getContentTypeParameters().get("name");
        }
        Optional<String> filename = Optional.ofNullable(name)
                .filter(n -> !n.isEmpty())
                .map(n -> DecoderUtil.decodeEncodedWords(n, DecodeMonitor.SILENT));
        return new MimePart(type, disposition, filename, size, depth);
    }
}
