package dev.moat.core.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces the bytes of a message for {@link CaptureStore#store}.
 *
 * <p>A callback rather than an {@code InputStream} or a byte array so that the gateway can stream a
 * message of any size straight from its spool into the store without holding it in memory.
 *
 * <p>{@link CaptureStore#store} calls {@link #writeTo} exactly once, on the calling thread. The
 * stream is buffered; the writer need not (and should not) close it — closing it is harmless but
 * the stream must not be used after {@code writeTo} returns. Throwing aborts the store: nothing of
 * the message remains on disk.
 */
@FunctionalInterface
public interface MessageWriter {

    /** Writes the complete message, exactly the bytes to be stored, to {@code out}. */
    void writeTo(OutputStream out) throws IOException;
}
