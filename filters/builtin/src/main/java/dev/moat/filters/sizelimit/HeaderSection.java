package dev.moat.filters.sizelimit;

import java.io.IOException;
import java.io.InputStream;

/**
 * Measures a message's header section from its raw bytes in one streaming pass, without keeping any
 * line: its size in octets (every field line with its CRLF, folding included, without the empty line
 * that ends it) and its number of fields. The header ends where Moat's own reader ends it: at the first
 * empty line, or at the first line that is neither a field ({@code name:} of printable ASCII) nor a
 * continuation (starting with a space or tab). Stops early once a limit is passed.
 *
 * @param bytes  octets counted so far (all of the header unless stopped early)
 * @param fields fields counted so far
 */
record HeaderSection(long bytes, int fields) {

    private enum State { LINE_START, CR_AT_START, NAME, FIELD }

    /**
     * Reads the header section of {@code message}, stopping as soon as it is larger than
     * {@code maxBytes} or has more than {@code maxFields} fields.
     */
    static HeaderSection measure(InputStream message, long maxBytes, long maxFields) throws IOException {
        byte[] chunk = new byte[4096]; // a header section is usually a few kB; more chunks when not
        long bytes = 0;
        int fields = 0;
        long lineBytes = 0;
        State state = State.LINE_START;
        int n;
        while ((n = message.read(chunk)) > 0) {
            for (int i = 0; i < n; i++) {
                int b = chunk[i] & 0xFF;
                lineBytes++;
                switch (state) {
                    case LINE_START -> {
                        if (b == '\n') {
                            return new HeaderSection(bytes, fields);
                        } else if (b == '\r') {
                            state = State.CR_AT_START;
                        } else if (b == ' ' || b == '\t') {
                            if (fields == 0) {
                                return new HeaderSection(bytes, fields);
                            }
                            state = State.FIELD; // continuation of the field before
                        } else if (b > 32 && b < 127 && b != ':') {
                            state = State.NAME;
                        } else {
                            return new HeaderSection(bytes, fields);
                        }
                    }
                    case CR_AT_START -> {
                        return new HeaderSection(bytes, fields); // an empty line, or a line that is no field
                    }
                    case NAME -> {
                        if (b == ':') {
                            fields++;
                            state = State.FIELD;
                            if (fields > maxFields) {
                                return new HeaderSection(bytes + lineBytes, fields);
                            }
                        } else if (b < 33 || b > 126) {
                            return new HeaderSection(bytes, fields);
                        }
                    }
                    case FIELD -> {
                        if (b == '\n') {
                            bytes += lineBytes;
                            lineBytes = 0;
                            state = State.LINE_START;
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                if (bytes + lineBytes > maxBytes && state == State.FIELD) {
                    return new HeaderSection(bytes + lineBytes, fields);
                }
            }
        }
        return new HeaderSection(state == State.FIELD ? bytes + lineBytes : bytes, fields);
    }
}
