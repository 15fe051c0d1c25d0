package dev.moat.core.relay;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a message for the SMTP DATA phase (RFC 5321 §4.5.2): a "." is added before every line that
 * starts with ".", and {@link #finish()} ends the data with {@code CRLF.CRLF}. The input is Moat's
 * spooled message, whose lines all end in CRLF, so no other byte is changed.
 */
final class DotStuffingOutputStream extends FilterOutputStream {

    private boolean atLineStart = true;
    private int last = -1;
    private int beforeLast = -1;

    DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (atLineStart && b == '.') {
            out.write('.');
        }
        out.write(b);
        atLineStart = b == '\n';
        beforeLast = last;
        last = b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (atLineStart && b == '.') {
                out.write(bytes, start, i - start);
                out.write('.');
                start = i;
            }
            atLineStart = b == '\n';
        }
        out.write(bytes, start, end - start);
        if (length >= 2) {
            beforeLast = bytes[end - 2];
            last = bytes[end - 1];
        } else if (length == 1) {
            beforeLast = last;
            last = bytes[end - 1];
        }
    }

    /** Ends the message: CRLF if the content did not end with one, then ".CRLF". Does not close. */
    void finish() throws IOException {
        if (last != -1 && !(beforeLast == '\r' && last == '\n')) {
            out.write('\r');
            out.write('\n');
        }
        out.write(new byte[] {'.', '\r', '\n'});
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flush(); // the connection stays open: the caller owns it
    }
}
