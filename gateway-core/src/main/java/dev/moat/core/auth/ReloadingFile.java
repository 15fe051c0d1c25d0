package dev.moat.core.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file parsed into a value and parsed again when it changes (modification time or size), checked
 * at most once per interval, when the value is asked for. A new version that does not parse is not
 * used: the previous value stays in force and the problem is logged (parse errors name a line, never
 * its content, which may be a password hash). Thread-safe.
 *
 * @param <T> the parsed value
 */
final class ReloadingFile<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingFile.class);

    private final Path path;
    private final long intervalNanos;
    private final Function<List<String>, T> parser;
    private final LongSupplier nanoTime;
    private volatile T value;
    private FileTime modified;
    private long size;
    private long checkedNanos;

    /**
     * Reads the file now.
     *
     * @param parser turns the lines into the value; throws {@link IllegalArgumentException} naming the line
     * @throws IllegalArgumentException when the file cannot be read or parsed now
     */
    ReloadingFile(Path path, Duration interval, Function<List<String>, T> parser, LongSupplier nanoTime) {
        this.path = Objects.requireNonNull(path, "path");
        this.intervalNanos = interval.toNanos();
        this.parser = Objects.requireNonNull(parser, "parser");
        this.nanoTime = nanoTime;
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            this.value = parser.apply(Files.readAllLines(path));
            this.modified = attributes.lastModifiedTime();
            this.size = attributes.size();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + path + ": " + e.getClass().getSimpleName());
        }
        this.checkedNanos = nanoTime.getAsLong();
    }

    /** The current value, re-read first if the interval passed and the file changed. */
    T get() {
        if (intervalNanos > 0) {
            long now = nanoTime.getAsLong();
            synchronized (this) {
                if (now - checkedNanos >= intervalNanos) {
                    checkedNanos = now;
                    reloadIfChanged();
                }
            }
        }
        return value;
    }

    private void reloadIfChanged() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.lastModifiedTime().equals(modified) && attributes.size() == size) {
                return;
            }
            T fresh = parser.apply(Files.readAllLines(path));
            modified = attributes.lastModifiedTime();
            size = attributes.size();
            value = fresh;
            LOG.info("Reloaded {}", path);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Keeping the previous version of {}: the new one cannot be used: {}", path,
                    e instanceof IOException ? e.getClass().getSimpleName() : e.getMessage());
        }
    }
}
