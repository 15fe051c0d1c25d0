package dev.moat.core.store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The stream handed to a {@link MessageWriter}: passes writes through, turns {@code close()} into a
 * flush, and refuses all use once {@link #seal() sealed}.
 *
 * <p>The store must flush and fsync the file itself after the writer returns, so a writer that
 * closes its stream (a common reflex) must not close the underlying file channel; and a writer that
 * kept a reference must not be able to append after the message was declared complete.
 *
 * <p>Not thread-safe; used by the one thread running {@link CaptureStore#store}.
 */
final class ShieldedOutputStream extends OutputStream {

    private final OutputStream target;
    private boolean sealed;

    ShieldedOutputStream(OutputStream target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /** Makes every further call fail; does not touch the target. */
    void seal() {
        sealed = true;
    }

    private void ensureOpen() throws IOException {
        if (sealed) {
            throw new IOException("message stream used after MessageWriter.writeTo returned");
        }
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        target.flush();
    }

    /** Flushes; the target stays open. */
    @Override
    public void close() throws IOException {
        if (!sealed) {
            target.flush();
        }
    }
}
