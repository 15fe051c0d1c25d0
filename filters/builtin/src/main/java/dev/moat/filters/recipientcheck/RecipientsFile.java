package dev.moat.filters.recipientcheck;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The {@code recipients-file}: one {@code local@domain} or {@code @domain} per line (the first word
 * of the line; the rest, such as Postfix's {@code OK}, is ignored), blank lines and lines starting with
 * {@code #} skipped. The file is checked at most once per interval; when its modification time, size
 * or identity (inode) changed it is read again. If it cannot be read or has a bad line, the table is in
 * a failed state (lookups answer {@link Lookup#FAILURE}) until a later check reads it successfully.
 *
 * <p>Thread-safe: lookups read a volatile snapshot; one caller at a time re-checks the file (with
 * {@code tryLock}, so the others never wait for the disk: they use the previous snapshot).
 */
final class RecipientsFile {

    enum Lookup { KNOWN, UNKNOWN, FAILURE }

    /** What the last check found: a table, or why there is none. */
    private record Snapshot(RecipientTable table, String failure, FileTime modified, long size, Object fileKey) {
    }

    /** The JDK's logging facade: the SPI has none yet (see docs/filters/recipient-check.md). */
    private static final System.Logger LOG = System.getLogger(RecipientsFile.class.getName());

    private final Path path;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ReentrantLock checking = new ReentrantLock();
    private volatile Snapshot snapshot;
    private volatile long nextCheck;

    private RecipientsFile(Path path, Duration interval, LongSupplier nanoTime) {
        this.path = Objects.requireNonNull(path, "path");
        this.intervalNanos = interval.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Reads the file for the first time.
     *
     * @throws IllegalArgumentException if it cannot be read or has a bad line (start-up fails)
     */
    static RecipientsFile open(Path path, Duration interval, LongSupplier nanoTime) {
        RecipientsFile file = new RecipientsFile(path, interval, nanoTime);
        Snapshot first = file.load();
        if (first.failure() != null) {
            throw new IllegalArgumentException(first.failure());
        }
        file.snapshot = first;
        file.nextCheck = nanoTime.getAsLong() + file.intervalNanos;
        return file;
    }

    /** The number of entries of the current table (0 while failed). */
    int size() {
        Snapshot s = snapshot;
        return s.table() == null ? 0 : s.table().size();
    }

    Lookup lookup(dev.moat.filter.Address recipient) {
        Snapshot s = current();
        if (s.table() == null) {
            return Lookup.FAILURE;
        }
        return s.table().knows(recipient) ? Lookup.KNOWN : Lookup.UNKNOWN;
    }

    private Snapshot current() {
        long now = nanoTime.getAsLong();
        if (now - nextCheck >= 0 && checking.tryLock()) {
            try {
                if (now - nextCheck >= 0) {
                    refresh();
                    nextCheck = nanoTime.getAsLong() + intervalNanos;
                }
            } finally {
                checking.unlock();
            }
        }
        return snapshot;
    }

    private void refresh() {
        Snapshot old = snapshot;
        Snapshot now;
        if (old.failure() == null) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                if (attributes.lastModifiedTime().equals(old.modified()) && attributes.size() == old.size()
                        && Objects.equals(attributes.fileKey(), old.fileKey())) {
                    return;
                }
                now = load();
            } catch (IOException e) {
                now = failed("cannot read " + path + ": " + e);
            }
        } else {
            now = load();
        }
        snapshot = now;
        if (now.failure() != null && !now.failure().equals(old.failure())) {
            LOG.log(System.Logger.Level.WARNING, "recipients-file unusable, answering a temporary failure until it is fixed: {0}",
                    now.failure());
        } else if (now.failure() == null) {
            LOG.log(System.Logger.Level.INFO, "recipients-file {0} (re)loaded: {1} entries", path, now.table().size());
        }
    }

    private Snapshot load() {
        BasicFileAttributes attributes;
        RecipientTable.Builder table = new RecipientTable.Builder();
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return failed(path + " is not a regular file");
            }
            try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                int number = 0;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    number++;
                    String text = line.strip();
                    if (text.isEmpty() || text.startsWith("#")) {
                        continue;
                    }
                    String entry = text.split("\\s+", 2)[0];
                    try {
                        table.add(entry);
                    } catch (IllegalArgumentException e) {
                        return failed(path + " line " + number + ": " + e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            return failed("cannot read " + path + ": " + e);
        }
        return new Snapshot(table.build(), null, attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
    }

    private static Snapshot failed(String reason) {
        return new Snapshot(null, reason, null, -1, null);
    }
}
