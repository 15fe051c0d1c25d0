package dev.moat.core.message;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The bytes of one message as received: kept in memory up to the spool's buffer size, then spilled to
 * a file in the spool directory. Written by one thread (the session's), then read any number of times.
 * {@link #discard()} must be called on every exit path; it is idempotent.
 */
public final class SpooledMessage implements AutoCloseable {

    private final Spool spool;
    private final String name;
    private final int memoryLimit;
    private byte[] memory = new byte[256];
    private int memoryLength;
    private Path file;
    private OutputStream fileOut;
    private long size;
    private boolean sealed;
    private boolean discarded;

    SpooledMessage(Spool spool, String name, int memoryLimit) {
        this.spool = spool;
        this.name = name;
        this.memoryLimit = memoryLimit;
    }

    /** Appends bytes; only before {@link #seal()}. */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (sealed || discarded) {
            throw new IllegalStateException("message is sealed or discarded");
        }
        if (file == null && memoryLength + length <= memoryLimit) {
            if (memoryLength + length > memory.length) {
                memory = Arrays.copyOf(memory, Math.min(memoryLimit, Math.max(memory.length * 2, memoryLength + length)));
            }
            System.arraycopy(bytes, offset, memory, memoryLength, length);
            memoryLength += length;
        } else {
            if (file == null) {
                spill();
            }
            fileOut.write(bytes, offset, length);
        }
        size += length;
    }

    private void spill() throws IOException {
        file = spool.fileFor(name);
        fileOut = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), 64 * 1024);
        fileOut.write(memory, 0, memoryLength);
        memory = null;
        memoryLength = 0;
    }

    /** Ends writing; the message can be read from now on. */
    public void seal() throws IOException {
        if (!sealed && fileOut != null) {
            fileOut.close();
        }
        sealed = true;
    }

    public long size() {
        return size;
    }

    /** True once the message no longer fits in memory and lives in a spool file. */
    public boolean onDisk() {
        return file != null;
    }

    /** A new stream over the whole message. */
    public InputStream openStream() throws IOException {
        if (!sealed || discarded) {
            throw new IllegalStateException("message is not sealed, or discarded");
        }
        return file == null ? new ByteArrayInputStream(memory, 0, memoryLength) : Files.newInputStream(file);
    }

    /** Frees the memory and deletes the spool file, if any. */
    public void discard() {
        if (discarded) {
            return;
        }
        discarded = true;
        memory = null;
        try {
            if (fileOut != null && !sealed) {
                fileOut.close();
            }
        } catch (IOException ignored) {
            // the file is deleted next; nothing else to save
        }
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(SpooledMessage.class).warn("Could not delete spool file {}", file, e);
            }
        }
    }

    @Override
    public void close() {
        discard();
    }
}
