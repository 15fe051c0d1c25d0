package dev.moat.core.message;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.stream.Field;

/**
 * What one MIME entity's header says about it: its content type (RFC 2045 §5.2 defaults, RFC 2046
 * §5.1.5 for parts of a {@code multipart/digest}), its disposition and its filename. Collects the
 * first {@code Content-Type} and the first {@code Content-Disposition} field while the header streams
 * by and parses them once, when asked. Used by one walk on one thread.
 */
final class PartHeader {

    private static final String TEXT_PLAIN = "text/plain";
    private static final String MESSAGE_RFC822 = "message/rfc822";

    private final String defaultType;
    private Field contentType;
    private Field contentDisposition;
    private boolean parsed;
    private String type;
    private Map<String, String> typeParameters = Map.of();
    private String dispositionType;
    private Map<String, String> dispositionParameters = Map.of();

    private PartHeader(String defaultType) {
        this.defaultType = defaultType;
    }

    /** The header of a top-level message: text/plain unless it says otherwise. */
    static PartHeader topLevel() {
        return new PartHeader(TEXT_PLAIN);
    }

    /** The header of a part of this entity: message/rfc822 by default inside a multipart/digest. */
    PartHeader child() {
        return new PartHeader("multipart/digest".equals(contentType()) ? MESSAGE_RFC822 : TEXT_PLAIN);
    }

    /** Offers one header field; only the first of each of the two fields we read is kept. */
    void add(String name, Field field) {
        if (contentType == null && "content-type".equalsIgnoreCase(name)) {
            contentType = field;
        } else if (contentDisposition == null && "content-disposition".equalsIgnoreCase(name)) {
            contentDisposition = field;
        }
    }

    /** The lower-case {@code type/subtype}; the default when the field is missing or malformed. */
    String contentType() {
        parse();
        return type;
    }

    /** The lower-case disposition type ({@code attachment}, {@code inline}, ...), if any. */
    Optional<String> disposition() {
        parse();
        return Optional.ofNullable(dispositionType);
    }

    /**
     * The filename, from the disposition's {@code filename} or else the type's {@code name}
     * parameter, RFC 2231 and RFC 2047 encodings decoded.
     */
    Optional<String> filename() {
        parse();
        String name = dispositionParameters.get("filename");
        if (name == null || name.isEmpty()) {
            name = typeParameters.get("name");
        }
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(DecoderUtil.decodeEncodedWords(name, DecodeMonitor.SILENT));
    }

    private void parse() {
        if (parsed) {
            return;
        }
        parsed = true;
        type = defaultType;
        if (contentType != null) {
            MimeFieldBody body = parseBody(contentType);
            typeParameters = MimeParameters.decode(body.parameters());
            String value = body.value();
            int slash = value == null ? -1 : value.indexOf('/');
            if (slash > 0) {
                String main = value.substring(0, slash).trim();
                String sub = value.substring(slash + 1).trim();
                if (!main.isEmpty() && !sub.isEmpty()) {
                    type = (main + '/' + sub).toLowerCase(Locale.ROOT);
                }
            }
            // RFC 2046 §5.1.1: a multipart without a boundary cannot be split; Mime4j reads it as text/plain.
            if (type.startsWith("multipart/") && typeParameters.get("boundary") == null) {
                type = TEXT_PLAIN;
            }
        }
        if (contentDisposition != null) {
            MimeFieldBody body = parseBody(contentDisposition);
            dispositionParameters = MimeParameters.decode(body.parameters());
            String value = body.value();
            if (value != null && !value.isBlank()) {
                dispositionType = value.trim().toLowerCase(Locale.ROOT);
            }
        }
    }

    private static MimeFieldBody parseBody(Field field) {
        return MimeFieldBody.parse(field.getBody());
    }
}
