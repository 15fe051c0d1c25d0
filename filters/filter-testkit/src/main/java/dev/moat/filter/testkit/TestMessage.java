package dev.moat.filter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Test messages as the gateway stores them: CRLF line endings, dot-stuffing undone, no Received
 * header. Build one field by field, or read a real message from an {@code .eml} file.
 *
 * <pre>{@code
 * byte[] simple = TestMessage.builder()
 *         .from("alice@example.org").to("bob@example.com").subject("Lunch?")
 *         .header("X-Mailer", "test")
 *         .body("See you at noon.")
 *         .build();
 * byte[] real = TestMessage.resource(MyFilterTest.class, "phishing.eml");  // src/test/resources/<package>/phishing.eml
 * }</pre>
 */
public final class TestMessage {

    private TestMessage() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * An {@code .eml} resource next to {@code anchor}'s class file (or absolute, starting with
     * {@code /}), with every line ending made CRLF; the bytes are otherwise unchanged (8-bit content
     * survives).
     *
     * @throws IllegalArgumentException if there is no such resource
     */
    public static byte[] resource(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource '" + name + "' next to " + anchor.getName());
            }
            return crlf(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An {@code .eml} file, line endings made CRLF. */
    public static byte[] file(Path file) {
        try {
            return crlf(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every bare LF and bare CR becomes CRLF; a final CRLF is added if missing. */
    static byte[] crlf(byte[] in) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length + in.length / 40 + 2);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        byte[] bytes = out.toByteArray();
        if (bytes.length < 2 || bytes[bytes.length - 2] != '\r' || bytes[bytes.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
            bytes = out.toByteArray();
        }
        return bytes;
    }

    /** Builds a simple text message; header fields come out in the order they were set. */
    public static final class Builder {
        private final List<String[]> headers = new ArrayList<>();
        private String body = "";

        private Builder() {
        }

        /** {@code From:}. */
        public Builder from(String address) {
            return header("From", address);
        }

        /** {@code To:}; call again for more recipients (one field each). */
        public Builder to(String address) {
            return header("To", address);
        }

        /** {@code Subject:}, as given (use RFC 2047 encoded words for non-ASCII). */
        public Builder subject(String subject) {
            return header("Subject", subject);
        }

        /** Any header field; it is written as {@code name: value}. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a header value must not contain CR or LF: " + name);
            }
            headers.add(new String[] {name, value});
            return this;
        }

        /** The body text (UTF-8); bare LFs become CRLF. */
        public Builder body(String text) {
            this.body = Objects.requireNonNull(text, "text");
            return this;
        }

        /** The message bytes. */
        public byte[] build() {
            StringBuilder text = new StringBuilder();
            for (String[] h : headers) {
                text.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            text.append("\r\n").append(body);
            return crlf(text.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
