package dev.moat.core.queue;

import dev.moat.core.store.MessageWriter;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's files (layout and format: docs/queue.md).
 *
 * <pre>
 * queue/tmp/              files being written; swept at start (nothing in it was ever answered 250)
 * queue/msg/00 … ff/      &lt;id&gt;.msg (envelope + message, immutable) and &lt;id&gt;.state (per-recipient state)
 * queue/corrupt/          entries that failed their check at start or before delivery; never delivered
 * </pre>
 *
 * A {@code .msg} file is {@code MOATQ1 <n>\r\n}, then n bytes of envelope JSON, then the message bytes,
 * then a 39-byte trailer {@code \r\nMOATQ-END <16 hex: message length> <8 hex: CRC-32>\r\n}. It is
 * written in {@code tmp/}, fsynced, renamed into its hashed directory, and that directory fsynced, all
 * before {@link #enqueue} returns: the rename is the commit. A {@code .state} file is replaced the
 * same way (write, fsync, rename over, fsync directory), so it is always one whole version.
 *
 * <p>Thread-safe for different ids; one thread at a time per id (the queue's scheduler ensures it).
 */
public final class QueueStore {

    private static final Logger LOG = LoggerFactory.getLogger(QueueStore.class);

    static final String MSG = ".msg";
    static final String STATE = ".state";
    static final String MAGIC = "MOATQ1 ";
    static final String END = "\r\nMOATQ-END ";
    static final int TRAILER = END.length() + 16 + 1 + 8 + 2;
    private static final int MAX_ENVELOPE = 1 << 20;

    private final Path root;
    private final Path tmp;
    private final Path messages;
    private final Path corrupt;
    private final AtomicLong tmpSequence = new AtomicLong();

    /** A committed entry as found on disk: its envelope and where the message bytes are. */
    public record Entry(QueuedEnvelope envelope, Path file, long bodyOffset, long bodyLength, long crc) {
    }

    /** Opens (creating) the queue directory and sweeps {@code tmp/}. */
    public QueueStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = Files.createDirectories(this.root.resolve("tmp"));
        this.messages = Files.createDirectories(this.root.resolve("msg"));
        this.corrupt = Files.createDirectories(this.root.resolve("corrupt"));
        for (int i = 0; i < 256; i++) {
            Files.createDirectories(messages.resolve(bucketName(i)));
        }
        int swept = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
                swept++;
            }
        }
        if (swept > 0) {
            LOG.warn("Queue {}: removed {} unfinished write(s) from an earlier run (none was acknowledged)", root, swept);
        }
        syncDirectory(this.root);
    }

    public Path root() {
        return root;
    }

    private static String bucketName(int i) {
        return String.format(Locale.ROOT, "%02x", i);
    }

    /** The hashed directory of an id: 256 buckets, so 100,000 entries make ~400 per directory. */
    Path bucket(String id) {
        return messages.resolve(bucketName(id.hashCode() & 0xff));
    }

    Path messageFile(String id) {
        return bucket(id).resolve(id + MSG);
    }

    Path stateFile(String id) {
        return bucket(id).resolve(id + STATE);
    }

    /**
     * Writes envelope and message durably into the queue. When this returns, the entry survives a
     * process kill and a power loss. On failure nothing of it remains and the exception is thrown.
     *
     * @return the committed entry
     */
    public Entry enqueue(QueuedEnvelope envelope, MessageWriter content) throws IOException {
        String id = envelope.id();
        Path target = messageFile(id);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        byte[] json = QueueJson.envelope(envelope);
        byte[] header = (MAGIC + json.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        Path t = tmp.resolve(id + MSG);
        CRC32 crc = new CRC32();
        long length;
        try (FileChannel channel = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream file = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            file.write(header);
            file.write(json);
            Counting body = new Counting(file, crc);
            content.writeTo(body);
            length = body.count;
            file.write(trailer(length, crc.getValue()));
            file.flush();
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(t);
            throw e;
        }
        try {
            Files.move(t, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target.getParent());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(t);
            deleteQuietly(target);
            throw e;
        }
        return new Entry(envelope, target, header.length + json.length, length, crc.getValue());
    }

    static byte[] trailer(long length, long crc) {
        return (END + String.format(Locale.ROOT, "%016x %08x", length, crc) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads and checks an entry's framing: header, envelope, and a trailer whose length matches the
     * file. Throws {@link IOException} for anything half-written or damaged.
     */
    public Entry read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(32);
            ch.read(head, 0);
            String start = new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII);
            int eol = start.indexOf("\r\n");
            if (!start.startsWith(MAGIC) || eol < 0) {
                throw new IOException(file + ": not a queue file (bad header)");
            }
            int jsonLength;
            try {
                jsonLength = Integer.parseInt(start.substring(MAGIC.length(), eol));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": bad header");
            }
            if (jsonLength < 2 || jsonLength > MAX_ENVELOPE) {
                throw new IOException(file + ": bad envelope length");
            }
            long bodyOffset = eol + 2L + jsonLength;
            if (size < bodyOffset + TRAILER) {
                throw new IOException(file + ": truncated (" + size + " bytes)");
            }
            ByteBuffer json = ByteBuffer.allocate(jsonLength);
            readFully(ch, json, eol + 2L);
            ByteBuffer tail = ByteBuffer.allocate(TRAILER);
            readFully(ch, tail, size - TRAILER);
            String t = new String(tail.array(), StandardCharsets.US_ASCII);
            if (!t.startsWith(END) || !t.endsWith("\r\n")) {
                throw new IOException(file + ": no end marker (half-written)");
            }
            long length;
            long crc;
            try {
                length = Long.parseLong(t.substring(END.length(), END.length() + 16), 16);
                crc = Long.parseLong(t.substring(END.length() + 17, END.length() + 25), 16);
            } catch (NumberFormatException e) {
                throw new IOException(file + ": bad end marker");
            }
            if (bodyOffset + length + TRAILER != size) {
                throw new IOException(file + ": length " + length + " does not match the file size " + size);
            }
            QueuedEnvelope envelope = QueueJson.envelope(json.array());
            return new Entry(envelope, file, bodyOffset, length, crc);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, p);
            if (n < 0) {
                throw new EOFException();
            }
            p += n;
        }
    }

    /** The message bytes of an entry; the caller closes the stream. */
    public InputStream openMessage(Entry entry) throws IOException {
        FileChannel ch = FileChannel.open(entry.file(), StandardOpenOption.READ);
        ch.position(entry.bodyOffset());
        InputStream in = Channels.newInputStream(ch);
        return new java.io.BufferedInputStream(new Bounded(in, entry.bodyLength()), 64 * 1024);
    }

    /** Whether the message bytes still have the CRC-32 recorded when they were queued. */
    public boolean verify(Entry entry) throws IOException {
        CRC32 crc = new CRC32();
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = openMessage(entry)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                crc.update(buffer, 0, n);
                total += n;
            }
        }
        return total == entry.bodyLength() && crc.getValue() == entry.crc();
    }

    /** The entry's state file, or empty if it has none yet (all recipients pending). */
    public java.util.Optional<QueueState> readState(String id) throws IOException {
        try {
            return java.util.Optional.of(QueueJson.state(Files.readAllBytes(stateFile(id))));
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        }
    }

    /** Replaces the entry's state atomically and durably. */
    public void writeState(String id, QueueState state) throws IOException {
        Path t = tmp.resolve(id + STATE + "." + tmpSequence.incrementAndGet());
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(QueueJson.state(state));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(t);
            throw e;
        }
        Path target = stateFile(id);
        Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }

    /**
     * Removes an entry: the message file first (from then on it is gone from the queue), then its state.
     * Not fsynced: if the removal is lost in a power failure the entry comes back and is tried again
     * (a duplicate, never a loss).
     */
    public void delete(String id) throws IOException {
        Files.deleteIfExists(messageFile(id));
        Files.deleteIfExists(stateFile(id));
    }

    /** Moves an entry's files to {@code corrupt/} so that it is never delivered; returns where. */
    public Path quarantine(Path messageFile) throws IOException {
        String name = messageFile.getFileName().toString();
        Path target = corrupt.resolve(name);
        Files.move(messageFile, target, StandardCopyOption.REPLACE_EXISTING);
        String id = name.endsWith(MSG) ? name.substring(0, name.length() - MSG.length()) : name;
        Path state = messageFile.resolveSibling(id + STATE);
        if (Files.exists(state)) {
            Files.move(state, corrupt.resolve(id + STATE), StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(corrupt);
        return target;
    }

    /** What {@link #scan} found. */
    public record Scan(List<Entry> entries, int quarantined, int orphanStates) {
    }

    /**
     * Start-up recovery: reads every committed entry; one whose framing is broken is moved to
     * {@code corrupt/} (it is never delivered, even in part), a state file without its message is removed.
     */
    public Scan scan() throws IOException {
        List<Entry> entries = new ArrayList<>();
        int quarantined = 0;
        int orphans = 0;
        for (int i = 0; i < 256; i++) {
            Path dir = messages.resolve(bucketName(i));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(MSG)) {
                        try {
                            entries.add(read(f));
                        } catch (IOException | RuntimeException e) {
                            LOG.error("Queue entry {} is damaged ({}); moved to {} and not delivered", f, e.getMessage(), corrupt);
                            quarantine(f);
                            quarantined++;
                        }
                    } else if (name.endsWith(STATE)) {
                        String id = name.substring(0, name.length() - STATE.length());
                        if (!Files.exists(dir.resolve(id + MSG))) {
                            deleteQuietly(f);
                            orphans++;
                        }
                    }
                }
            }
        }
        return new Scan(entries, quarantined, orphans);
    }

    /** Usable bytes in the queue's file system. */
    public long usableSpace() throws IOException {
        return Files.getFileStore(root).getUsableSpace();
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Could not delete {}", p, e);
        }
    }

    /** Counts and checksums the message bytes; never closes the file (the writer may try). */
    private static final class Counting extends FilterOutputStream {
        private final CRC32 crc;
        long count;

        Counting(OutputStream out, CRC32 crc) {
            super(out);
            this.crc = crc;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            crc.update(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            crc.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** At most {@code remaining} bytes of the underlying stream. */
    private static final class Bounded extends java.io.FilterInputStream {
        private long remaining;

        Bounded(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
