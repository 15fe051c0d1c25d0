package dev.moat.core.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A directory of captured messages: where accepted mail lands when no internal MTA is configured (an
 * inbox to look at, like Mailpit's), and — as a second instance on another directory — the quarantine.
 *
 * <h2>Layout and durability</h2>
 * Each message is two files: {@code <id>.eml}, the message bytes exactly as written, and
 * {@code <id>.json}, its {@link CapturedEnvelope} (format: {@code docs/capture-store.md}). The gateway
 * answers 250 only after {@link #store} returns, and a message answered 250 must never be lost, so
 * {@code store} makes both files durable first: each is written to a {@code .tmp} file, fsynced, and
 * atomically renamed; the {@code .json} is renamed last and then the directory is fsynced. A message
 * is complete exactly when its {@code .json} exists; deletion therefore removes the {@code .json}
 * first. After a crash the constructor sweeps what an interrupted {@code store} or deletion left behind
 * ({@code .tmp} files, {@code .eml} files without {@code .json}) — none of those was ever answered 250.
 *
 * <h2>Retention</h2>
 * After every {@code store}, and whenever {@link #enforceRetention} is called, the oldest messages (by
 * {@link CapturedEnvelope#receivedAt}) are deleted while there are more than {@code maxMessages}, and
 * every message received more than {@code maxAge} before {@code clock.instant()} is deleted. Expiry by
 * age therefore needs traffic or a periodic {@code enforceRetention} call. A message whose own
 * {@code receivedAt} is already older than the limits may be deleted by the retention run of the very
 * {@code store} call that wrote it.
 *
 * <h2>Thread-safety</h2>
 * Thread-safe. {@code store} may run concurrently on many threads for different ids, alongside
 * {@code list}, {@code find}, {@code delete} and retention. An in-memory index of the complete messages
 * is guarded by a lock that is held only for index updates, never for file I/O. Ids being written or
 * deleted are reserved in the index, so a concurrent {@code store} of the same id fails instead of
 * racing. Returned {@link StoredMessage}s are snapshots: the files may be deleted at any moment
 * afterwards, so readers must expect {@link NoSuchFileException}.
 *
 * <p>One instance per directory: two instances (or processes) on the same directory would sweep each
 * other's files in progress.
 */
public final class CaptureStore {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureStore.class);

    /** The buffer between a {@link MessageWriter} and the file. */
    static final int BUFFER_SIZE = 64 * 1024;

    static final String EML = ".eml";
    static final String JSON = ".json";
    static final String TMP = ".tmp";

    private static final Comparator<StoredMessage> OLDEST_FIRST =
            Comparator.comparing(StoredMessage::receivedAt).thenComparing(StoredMessage::id);

    private final Path directory;
    private final int maxMessages;
    private final Duration maxAge;
    private final Clock clock;

    private final Object lock = new Object();
    /** Complete messages by id. Guarded by {@link #lock}. */
    private final Map<String, StoredMessage> byId = new HashMap<>();
    /** The same messages, oldest first. Guarded by {@link #lock}. */
    private final NavigableSet<StoredMessage> byAge = new TreeSet<>(OLDEST_FIRST);
    /** Ids whose files are being written or deleted right now. Guarded by {@link #lock}. */
    private final Set<String> busy = new HashSet<>();

    /**
     * Opens (creating it and its parents if needed) the store in {@code directory}, sweeps leftovers
     * of a crash and indexes the complete messages. An envelope file that cannot be read is logged at
     * WARN and skipped (its files are left alone); it is not fatal.
     *
     * @param directory   the store directory
     * @param maxMessages the most messages kept; at least 1
     * @param maxAge      how long a message is kept after its {@code receivedAt}; positive
     * @param clock       the time source for age-based retention
     * @throws IOException if the directory cannot be created or listed, or a leftover not deleted
     */
    public CaptureStore(Path directory, int maxMessages, Duration maxAge, Clock clock) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(clock, "clock");
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be >= 1: " + maxMessages);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
        }
        this.directory = directory.toAbsolutePath().normalize();
        this.maxMessages = maxMessages;
        this.maxAge = maxAge;
        this.clock = clock;
        Files.createDirectories(this.directory);
        recover();
    }

    /**
     * Stores a message durably: when this returns, both files are fsynced and renamed into place and
     * the directory is fsynced, so the caller may answer 250. The envelope is stored with
     * {@code size} set to the real byte count of the message; the caller's value is ignored. Runs
     * retention afterwards (a retention failure is logged, not thrown: the message is safe).
     *
     * <p>On any failure nothing of the message remains (temp files and a renamed {@code .eml} are
     * removed), it is not indexed, and the exception is rethrown; the caller answers 4xx.
     *
     * @param envelope the envelope; its id names the files
     * @param content  writes the message bytes; called exactly once, on this thread
     * @return the stored message
     * @throws FileAlreadyExistsException if a message with this id exists or is being written or
     *                                    deleted; the existing files are left untouched
     * @throws IOException                on any I/O failure, or if {@code content} throws
     */
    public StoredMessage store(CapturedEnvelope envelope, MessageWriter content) throws IOException {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(content, "content");
        String id = envelope.id();
        Path eml = emlPath(id);
        Path json = jsonPath(id);
        reserve(id);
        boolean published = false;
        try {
            if (Files.exists(eml, LinkOption.NOFOLLOW_LINKS) || Files.exists(json, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(eml.toString(), null, "a message with this id exists");
            }
            long size = writeDurably(tmpPath(eml), eml, channel -> writeMessage(channel, content));
            try {
                byte[] envelopeJson = EnvelopeJson.toJson(envelope.withSize(size));
                writeDurably(tmpPath(json), json, channel -> writeFully(channel, envelopeJson));
            } catch (Throwable t) {
                deleteAfterFailure(eml, t);
                throw t;
            }
            syncDirectory();
            StoredMessage stored = new StoredMessage(id, envelope.receivedAt(), size, eml, json);
            synchronized (lock) {
                busy.remove(id);
                index(stored);
            }
            published = true;
            try {
                enforceRetention();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Capture store {}: retention after storing {} failed", directory, id, e);
            }
            return stored;
        } finally {
            if (!published) {
                release(id);
            }
        }
    }

    /** The complete messages, newest {@code receivedAt} first; an immutable snapshot. */
    public List<StoredMessage> list() {
        synchronized (lock) {
            return List.copyOf(byAge.descendingSet());
        }
    }

    /** The complete message with this id; empty if there is none (also for an invalid id). */
    public Optional<StoredMessage> find(String id) {
        if (!MessageIds.isValid(id)) {
            return Optional.empty();
        }
        synchronized (lock) {
            return Optional.ofNullable(byId.get(id));
        }
    }

    /**
     * Reads a message's envelope back from its {@code .json} file.
     *
     * @throws NoSuchFileException if there is no complete message with this id (also for an invalid
     *                             id, or if it is deleted meanwhile)
     * @throws IOException         if the file cannot be read or parsed; the message names the file
     */
    public CapturedEnvelope readEnvelope(String id) throws IOException {
        StoredMessage message = require(id);
        byte[] bytes = Files.readAllBytes(message.jsonFile());
        try {
            return EnvelopeJson.fromJson(bytes);
        } catch (IOException e) {
            throw new IOException(message.jsonFile() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a message's bytes for reading; the caller closes the stream. The stream is not buffered.
     * On POSIX systems a stream that is open stays readable even if the message is deleted meanwhile.
     *
     * @throws NoSuchFileException if there is no complete message with this id (also for an invalid
     *                             id, or if it is deleted meanwhile)
     */
    public InputStream openMessage(String id) throws IOException {
        return Files.newInputStream(require(id).emlFile());
    }

    /**
     * Deletes a message: its {@code .json} first (from then on it is no longer complete), then its
     * {@code .eml}. Also removes the files of a message whose envelope could not be read and which
     * was therefore never indexed.
     *
     * @return whether anything was deleted; {@code false} for an unknown or invalid id, and for a
     *         message that is still being stored or is being deleted by another thread
     * @throws IOException if a file cannot be deleted; if that was the {@code .json}, the message
     *                     stays in the store
     */
    public boolean delete(String id) throws IOException {
        if (!MessageIds.isValid(id)) {
            return false;
        }
        StoredMessage indexed;
        synchronized (lock) {
            if (busy.contains(id)) {
                return false;
            }
            indexed = byId.remove(id);
            if (indexed != null) {
                byAge.remove(indexed);
            }
            busy.add(id);
        }
        return removeFiles(id, indexed) || indexed != null;
    }

    /** How many complete messages the store holds. */
    public int count() {
        synchronized (lock) {
            return byId.size();
        }
    }

    /** The store directory, absolute and normalized. */
    public Path directory() {
        return directory;
    }

    /**
     * Deletes the oldest messages while there are more than {@code maxMessages}, and every message
     * whose {@code receivedAt} is more than {@code maxAge} before {@code clock.instant()}. Called at
     * the end of every {@link #store}; call it periodically for age-based expiry without traffic.
     *
     * @throws IOException if some files could not be deleted (the first failure, with the others
     *                     suppressed); every other expired message is still deleted
     */
    public void enforceRetention() throws IOException {
        Instant cutoff = cutoff(clock.instant());
        List<StoredMessage> victims = new ArrayList<>();
        synchronized (lock) {
            while (!byAge.isEmpty()) {
                StoredMessage oldest = byAge.first();
                if (byAge.size() <= maxMessages && !oldest.receivedAt().isBefore(cutoff)) {
                    break;
                }
                byAge.pollFirst();
                byId.remove(oldest.id());
                busy.add(oldest.id());
                victims.add(oldest);
            }
        }
        IOException failure = null;
        for (StoredMessage victim : victims) {
            try {
                removeFiles(victim.id(), victim);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (!victims.isEmpty()) {
            LOG.debug("Capture store {}: retention removed {} message(s)", directory, victims.size());
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "CaptureStore[" + directory + ", " + count() + " messages]";
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    /** What goes into one file; see {@link #writeDurably}. */
    @FunctionalInterface
    private interface FileBody {
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Creates {@code tmp} (which must not exist), fills it, fsyncs it and renames it atomically to
     * {@code target}. On failure after {@code tmp} was created, deletes it and rethrows.
     *
     * @return the size of the file
     */
    private static long writeDurably(Path tmp, Path target, FileBody body) throws IOException {
        FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            long size;
            try (channel) {
                body.write(channel);
                channel.force(true);
                size = channel.size();
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return size;
        } catch (Throwable t) {
            deleteAfterFailure(tmp, t);
            throw t;
        }
    }

    /** Streams the writer's bytes through a 64 KiB buffer; the channel stays open. */
    private static void writeMessage(FileChannel channel, MessageWriter content) throws IOException {
        BufferedOutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
        ShieldedOutputStream shielded = new ShieldedOutputStream(buffered);
        content.writeTo(shielded);
        shielded.seal();
        buffered.flush();
    }

    private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Makes the renames durable. Some platforms (Windows) cannot open a directory; that is ignored. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("Capture store {}: directory fsync not supported here: {}", directory, e.toString());
        }
    }

    private static void deleteAfterFailure(Path file, Throwable cause) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Index

    /** Reserves an id for writing. */
    private void reserve(String id) throws FileAlreadyExistsException {
        synchronized (lock) {
            if (byId.containsKey(id) || busy.contains(id)) {
                throw new FileAlreadyExistsException(emlPath(id).toString(), null, "message id already in use");
            }
            busy.add(id);
        }
    }

    private void release(String id) {
        synchronized (lock) {
            busy.remove(id);
        }
    }

    /** Adds to the index. Caller holds {@link #lock}. */
    private void index(StoredMessage message) {
        byId.put(message.id(), message);
        byAge.add(message);
    }

    private StoredMessage require(String id) throws NoSuchFileException {
        return find(id).orElseThrow(() ->
                new NoSuchFileException(String.valueOf(id), null, "no complete message with this id in " + directory));
    }

    /**
     * Deletes a reserved id's files, {@code .json} first, then releases the reservation. If the
     * {@code .json} could not be deleted, an {@code indexed} message goes back into the index.
     *
     * @return whether a file was deleted
     */
    private boolean removeFiles(String id, StoredMessage indexed) throws IOException {
        boolean jsonGone = false;
        boolean deleted = false;
        try {
            deleted = Files.deleteIfExists(jsonPath(id));
            jsonGone = true;
            deleted |= Files.deleteIfExists(emlPath(id));
            return deleted;
        } finally {
            synchronized (lock) {
                busy.remove(id);
                if (!jsonGone && indexed != null) {
                    index(indexed);
                }
            }
        }
    }

    private Instant cutoff(Instant now) {
        try {
            return now.minus(maxAge);
        } catch (DateTimeException | ArithmeticException e) {
            return Instant.MIN;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Recovery

    /** Sweeps crash leftovers and loads the index. Only touches files named like the store's own. */
    private void recover() throws IOException {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(entry.getFileName().toString());
                }
            }
        }
        int swept = 0;
        for (String name : names) {
            boolean leftover;
            if (name.endsWith(TMP)) {
                String base = name.substring(0, name.length() - TMP.length());
                leftover = idOf(base, EML) != null || idOf(base, JSON) != null;
            } else {
                String id = idOf(name, EML);
                leftover = id != null && !names.contains(id + JSON);
            }
            if (leftover) {
                Files.deleteIfExists(directory.resolve(name));
                swept++;
            }
        }
        int skipped = 0;
        for (String name : names) {
            String id = idOf(name, JSON);
            if (id != null && !load(id, names.contains(id + EML))) {
                skipped++;
            }
        }
        LOG.info("Capture store {}: {} message(s) indexed, {} leftover file(s) swept, {} unreadable envelope(s) skipped",
                directory, count(), swept, skipped);
    }

    /** Indexes one message; returns false (after logging) if it cannot be. */
    private boolean load(String id, boolean emlExists) {
        Path json = jsonPath(id);
        Path eml = emlPath(id);
        if (!emlExists) {
            LOG.warn("Capture store: skipping {}: its message file {} is missing", json, eml.getFileName());
            return false;
        }
        try {
            CapturedEnvelope envelope = EnvelopeJson.fromJson(Files.readAllBytes(json));
            if (!envelope.id().equals(id)) {
                throw new IOException("its id \"" + envelope.id() + "\" does not match the file name");
            }
            long size = Files.size(eml);
            if (size != envelope.size()) {
                LOG.warn("Capture store: {} records size {} but {} has {} bytes; using the file size",
                        json, envelope.size(), eml.getFileName(), size);
            }
            synchronized (lock) {
                index(new StoredMessage(id, envelope.receivedAt(), size, eml, json));
            }
            return true;
        } catch (IOException e) {
            LOG.warn("Capture store: skipping unreadable envelope {}: {}", json, e.getMessage());
            return false;
        }
    }

    /** The id if {@code name} is {@code <valid id><suffix>}, else null. */
    private static String idOf(String name, String suffix) {
        if (!name.endsWith(suffix)) {
            return null;
        }
        String id = name.substring(0, name.length() - suffix.length());
        return MessageIds.isValid(id) ? id : null;
    }

    private Path emlPath(String id) {
        return directory.resolve(id + EML);
    }

    private Path jsonPath(String id) {
        return directory.resolve(id + JSON);
    }

    private static Path tmpPath(Path file) {
        return file.resolveSibling(file.getFileName() + TMP);
    }
}
