package dev.moat.core.message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory where messages in transit spill to disk. It holds nothing that has been answered 250:
 * every file belongs to a transaction still being received or decided, so whatever is left at start-up
 * is debris of a crash and is swept.
 */
public final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    static final String SUFFIX = ".spool";

    private final Path directory;
    private final int memoryBuffer;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param directory    created if missing; leftover {@code *.spool} files are deleted
     * @param memoryBuffer bytes a transaction may keep in memory before it spills to a file
     */
    public Spool(Path directory, int memoryBuffer) throws IOException {
        if (memoryBuffer < 0) {
            throw new IllegalArgumentException("memoryBuffer must not be negative");
        }
        this.directory = Files.createDirectories(directory);
        this.memoryBuffer = memoryBuffer;
        sweep();
    }

    /**
     * Deletes every spool file. Only for when no transaction can be in flight: at start-up, and after
     * the listeners have stopped at shutdown.
     */
    public void sweep() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
                removed++;
            }
        }
        if (removed > 0) {
            LOG.warn("Removed {} spool file(s) left over from an earlier run in {}", removed, directory);
        }
    }

    /** A new, empty message buffer for the transaction {@code id}. */
    public SpooledMessage create(String id) {
        return new SpooledMessage(this, id + "-" + sequence.incrementAndGet(), memoryBuffer);
    }

    Path fileFor(String name) {
        return directory.resolve(name + SUFFIX);
    }

    public Path directory() {
        return directory;
    }

    /** The number of spool files present now; for tests and the admin API. */
    public long fileCount() {
        try (var files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
