package dev.moat.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureStoreTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(T0);

    private Path dir() {
        return tmp.resolve("capture");
    }

    private CaptureStore open() throws IOException {
        return new CaptureStore(dir(), 10_000, Duration.ofDays(30), clock);
    }

    private static CapturedEnvelope envelope(String id, Instant receivedAt) {
        return new CapturedEnvelope(id, receivedAt, "inbound", "192.0.2.10", "mx.example.net",
                Optional.of("TLSv1.3"), Optional.of("TLS_AES_128_GCM_SHA256"), Optional.empty(),
                "alice@example.net", List.of("bob@example.org"), Map.of(), List.of(), Optional.empty(), 0);
    }

    private static MessageWriter writing(byte[] bytes) {
        return out -> out.write(bytes);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] read(CaptureStore store, String id) throws IOException {
        try (InputStream in = store.openMessage(id)) {
            return in.readAllBytes();
        }
    }

    private Set<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static List<String> ids(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::id).toList();
    }

    @Test
    void storesBytesExactlyIncluding8BitAndLoneLineEnds() throws IOException {
        CaptureStore store = open();
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(ascii("Subject: bytes\r\n\r\nbare LF\nbare CR\rCRLF\r\n"));
        for (int b = 0; b < 256; b++) {
            message.write(b);
        }
        message.writeBytes(ascii("\r\n.\r\n"));
        byte[] bytes = message.toByteArray();

        StoredMessage stored = store.store(envelope("m1", T0), writing(bytes));

        assertEquals(new StoredMessage("m1", T0, bytes.length, dir().resolve("m1.eml"), dir().resolve("m1.json")), stored);
        assertArrayEquals(bytes, Files.readAllBytes(dir().resolve("m1.eml")));
        assertArrayEquals(bytes, read(store, "m1"));
        assertEquals(bytes.length, store.readEnvelope("m1").size());
        assertEquals(Set.of("m1.eml", "m1.json"), fileNames());
        assertEquals(1, store.count());
    }

    @Test
    void streamsAFiveMegabyteMessage() throws IOException {
        CaptureStore store = open();
        byte[] bytes = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(bytes);

        StoredMessage stored = store.store(envelope("big", T0), out -> {
            out.write(bytes[0]);
            for (int off = 1; off < bytes.length; off += 7777) {
                out.write(bytes, off, Math.min(7777, bytes.length - off));
            }
        });

        assertEquals(5L * 1024 * 1024, stored.size());
        assertEquals(5L * 1024 * 1024, Files.size(stored.emlFile()));
        assertEquals(5L * 1024 * 1024, store.readEnvelope("big").size());
        assertArrayEquals(bytes, read(store, "big"));
    }

    @Test
    void envelopeFieldsReadBackEqualWithRealSize() throws IOException {
        CaptureStore store = open();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SIZE", "999");
        params.put("BODY", "8BITMIME");
        params.put("SMTPUTF8", "");
        CapturedEnvelope envelope = new CapturedEnvelope("tx-20250301.0001", T0.plusNanos(123_456_789), "submission",
                "2001:db8::25", "client.example.net", Optional.of("TLSv1.3"), Optional.of("TLS_AES_256_GCM_SHA384"),
                Optional.of("alice"), "alice@exämple.net", List.of("bob@example.org", "carol@example.org"), params,
                List.of(new VerdictRecord("spam", "spamd", "DATA", "QUARANTINE", "score=9.1"),
                        new VerdictRecord("av", "clamd", "DATA", "ACCEPT", "")),
                Optional.of("spam score 9.1 >= 8"), 999_999);
        byte[] bytes = ascii("Subject: hi\r\n\r\nhello\r\n");

        store.store(envelope, writing(bytes));

        assertEquals(envelope.withSize(bytes.length), store.readEnvelope("tx-20250301.0001"));
        JsonNode json = new ObjectMapper().readTree(dir().resolve("tx-20250301.0001.json").toFile());
        assertEquals("2025-03-01T10:00:00.123456789Z", json.get("receivedAt").textValue());
        assertEquals(bytes.length, json.get("size").longValue());
        assertEquals("TLSv1.3", json.get("tlsProtocol").textValue());
        assertEquals("spam score 9.1 >= 8", json.get("quarantineReason").textValue());
        assertEquals("QUARANTINE", json.get("verdicts").get(0).get("verdict").textValue());
        assertEquals("", json.get("mailParameters").get("SMTPUTF8").textValue());
    }

    @Test
    void emptyOptionalsAreNullAndNullSenderIsEmptyString() throws IOException {
        CaptureStore store = open();
        CapturedEnvelope envelope = new CapturedEnvelope("bounce", T0, "inbound", "192.0.2.7", "", Optional.empty(),
                Optional.empty(), Optional.empty(), "", List.of("postmaster@example.org"), Map.of(), List.of(),
                Optional.empty(), 0);

        store.store(envelope, writing(ascii("x\r\n")));

        assertEquals(envelope.withSize(3), store.readEnvelope("bounce"));
        JsonNode json = new ObjectMapper().readTree(dir().resolve("bounce.json").toFile());
        assertTrue(json.get("tlsProtocol").isNull());
        assertTrue(json.get("tlsCipher").isNull());
        assertTrue(json.get("authenticatedUser").isNull());
        assertTrue(json.get("quarantineReason").isNull());
        assertEquals("", json.get("sender").textValue());
        assertEquals("", json.get("helo").textValue());
    }

    @Test
    void concurrentStoresFromEightThreadsAreAllPresent() throws Exception {
        CaptureStore store = open();
        int threads = 8;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        String id = "t" + thread + "-" + i;
                        store.store(envelope(id, T0.plusMillis(thread * 1000L + i)),
                                writing(ascii("Subject: " + id + "\r\n\r\n" + id.repeat(100) + "\r\n")));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(threads * perThread, store.count());
        assertEquals(threads * perThread, store.list().size());
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                String id = "t" + t + "-" + i;
                assertArrayEquals(ascii("Subject: " + id + "\r\n\r\n" + id.repeat(100) + "\r\n"), read(store, id));
                assertEquals(id, store.readEnvelope(id).id());
            }
        }
        Set<String> names = fileNames();
        assertEquals(2 * threads * perThread, names.size());
        assertTrue(names.stream().noneMatch(n -> n.endsWith(".tmp")), names.toString());
        assertEquals(threads * perThread, new CaptureStore(dir(), 10_000, Duration.ofDays(30), clock).count());
    }

    @Test
    void writerThrowingMidwayLeavesNoFilesAndNoEntry() throws IOException {
        CaptureStore store = open();
        IOException boom = new IOException("client went away");

        IOException thrown = assertThrows(IOException.class, () -> store.store(envelope("m1", T0), out -> {
            out.write(new byte[200_000]);
            throw boom;
        }));

        assertSame(boom, thrown);
        assertEquals(Set.of(), fileNames());
        assertEquals(0, store.count());
        assertEquals(Optional.empty(), store.find("m1"));
        assertThrows(NoSuchFileException.class, () -> store.openMessage("m1"));

        IllegalStateException unchecked = assertThrows(IllegalStateException.class,
                () -> store.store(envelope("m1", T0), out -> {
                    out.write(1);
                    throw new IllegalStateException("bug");
                }));
        assertEquals("bug", unchecked.getMessage());
        assertEquals(Set.of(), fileNames());

        store.store(envelope("m1", T0), writing(ascii("retry")));
        assertArrayEquals(ascii("retry"), read(store, "m1"));
    }

    @Test
    void failureWritingTheEnvelopeRemovesTheRenamedEml() throws IOException {
        CaptureStore store = open();
        Files.createDirectory(dir().resolve("m1.json.tmp")); // makes creating the envelope temp file fail

        assertThrows(FileAlreadyExistsException.class, () -> store.store(envelope("m1", T0), writing(ascii("x"))));

        assertEquals(Set.of("m1.json.tmp"), fileNames());
        assertEquals(0, store.count());
    }

    @Test
    void closingTheStreamIsHarmlessAndALeakedStreamIsDead() throws IOException {
        CaptureStore store = open();
        AtomicReference<OutputStream> leaked = new AtomicReference<>();

        store.store(envelope("m1", T0), out -> {
            leaked.set(out);
            out.write(ascii("abc"));
            out.close();
        });

        assertThrows(IOException.class, () -> leaked.get().write(ascii("def")));
        assertArrayEquals(ascii("abc"), read(store, "m1"));
        assertEquals(3, store.find("m1").orElseThrow().size());
    }

    @Test
    void constructorSweepsCrashLeftoversAndIndexesCompleteMessages() throws IOException {
        CaptureStore first = open();
        first.store(envelope("done1", T0), writing(ascii("one")));
        first.store(envelope("done2", T0.plusSeconds(1)), writing(ascii("two!")));
        Files.write(dir().resolve("half.eml.tmp"), ascii("partial"));
        Files.write(dir().resolve("done3.eml"), ascii("renamed, envelope never written"));
        Files.write(dir().resolve("done3.json.tmp"), ascii("{"));
        Files.write(dir().resolve("orphan.eml"), ascii("no envelope"));
        Files.write(dir().resolve("done1.eml.tmp"), ascii("stale temp of a complete message"));
        Files.write(dir().resolve("README.txt"), ascii("not ours"));
        Files.write(dir().resolve("notes.tmp"), ascii("not ours either"));

        CaptureStore store = open();

        assertEquals(Set.of("README.txt", "done1.eml", "done1.json", "done2.eml", "done2.json", "notes.tmp"), fileNames());
        assertEquals(List.of("done2", "done1"), ids(store.list()));
        assertEquals(first.list(), store.list());
        assertArrayEquals(ascii("one"), read(store, "done1"));
        assertEquals(envelope("done2", T0.plusSeconds(1)).withSize(4), store.readEnvelope("done2"));
    }

    @Test
    void unreadableEnvelopeIsSkippedNotFatal() throws IOException {
        open().store(envelope("good", T0), writing(ascii("fine")));
        Files.write(dir().resolve("broken.json"), ascii("{not json"));
        Files.write(dir().resolve("broken.eml"), ascii("bytes"));
        Files.write(dir().resolve("wrongid.json"), Files.readAllBytes(dir().resolve("good.json")));
        Files.write(dir().resolve("wrongid.eml"), ascii("fine"));
        Files.copy(dir().resolve("good.json"), dir().resolve("noeml.json"));

        CaptureStore store = open();

        assertEquals(List.of("good"), ids(store.list()));
        assertTrue(Files.exists(dir().resolve("broken.eml")));
        assertTrue(Files.exists(dir().resolve("broken.json")));
        assertThrows(FileAlreadyExistsException.class, () -> store.store(envelope("broken", T0), writing(ascii("x"))));
        assertArrayEquals(ascii("bytes"), Files.readAllBytes(dir().resolve("broken.eml")));
        assertTrue(store.delete("broken"));
        assertFalse(Files.exists(dir().resolve("broken.eml")));
        assertFalse(Files.exists(dir().resolve("broken.json")));
    }

    @Test
    void retentionByCountDeletesTheOldest() throws IOException {
        CaptureStore store = new CaptureStore(dir(), 3, Duration.ofDays(30), clock);
        for (int i = 1; i <= 5; i++) {
            store.store(envelope("m" + i, T0.plusSeconds(i)), writing(ascii("message " + i)));
            assertEquals(Math.min(i, 3), store.count());
        }

        assertEquals(List.of("m5", "m4", "m3"), ids(store.list()));
        assertEquals(Set.of("m3.eml", "m3.json", "m4.eml", "m4.json", "m5.eml", "m5.json"), fileNames());
        assertThrows(NoSuchFileException.class, () -> store.openMessage("m1"));
    }

    @Test
    void retentionByAgeRelativeToTheClock() throws IOException {
        CaptureStore store = new CaptureStore(dir(), 100, Duration.ofHours(1), clock);
        store.store(envelope("a", T0), writing(ascii("a")));
        clock.set(T0.plus(Duration.ofMinutes(30)));
        store.store(envelope("b", clock.instant()), writing(ascii("b")));
        clock.set(T0.plus(Duration.ofMinutes(60)));
        store.store(envelope("c", clock.instant()), writing(ascii("c")));
        assertEquals(List.of("c", "b", "a"), ids(store.list()), "exactly maxAge old is kept");

        clock.set(T0.plus(Duration.ofMinutes(60)).plusMillis(1));
        store.enforceRetention();
        assertEquals(List.of("c", "b"), ids(store.list()));
        assertEquals(Set.of("b.eml", "b.json", "c.eml", "c.json"), fileNames());

        clock.set(T0.plus(Duration.ofHours(3)));
        store.store(envelope("d", clock.instant()), writing(ascii("d")));
        assertEquals(List.of("d"), ids(store.list()), "store() itself enforces retention");
        assertEquals(Set.of("d.eml", "d.json"), fileNames());
    }

    @Test
    void duplicateIdFailsAndLeavesTheOriginalUntouched() throws IOException {
        CaptureStore store = open();
        store.store(envelope("dup", T0), writing(ascii("first")));
        AtomicBoolean called = new AtomicBoolean();

        assertThrows(FileAlreadyExistsException.class, () -> store.store(envelope("dup", T0.plusSeconds(5)), out -> {
            called.set(true);
            out.write(ascii("second"));
        }));

        assertFalse(called.get());
        assertArrayEquals(ascii("first"), read(store, "dup"));
        assertEquals(T0, store.readEnvelope("dup").receivedAt());
        assertEquals(1, store.count());
        assertEquals(Set.of("dup.eml", "dup.json"), fileNames());
    }

    @Test
    void listIsNewestFirstAlsoAfterReopening() throws IOException {
        CaptureStore store = open();
        store.store(envelope("middle", T0.plusSeconds(10)), writing(ascii("2")));
        store.store(envelope("newest", T0.plusSeconds(20)), writing(ascii("3")));
        store.store(envelope("oldest", T0), writing(ascii("1")));

        assertEquals(List.of("newest", "middle", "oldest"), ids(store.list()));
        assertEquals(List.of("newest", "middle", "oldest"), ids(open().list()));
    }

    @Test
    void deleteRemovesFilesAndEntry() throws IOException {
        CaptureStore store = open();
        store.store(envelope("keep", T0), writing(ascii("k")));
        store.store(envelope("gone", T0.plusSeconds(1)), writing(ascii("g")));

        assertTrue(store.delete("gone"));

        assertEquals(Optional.empty(), store.find("gone"));
        assertThrows(NoSuchFileException.class, () -> store.openMessage("gone"));
        assertThrows(NoSuchFileException.class, () -> store.readEnvelope("gone"));
        assertEquals(Set.of("keep.eml", "keep.json"), fileNames());
        assertEquals(List.of("keep"), ids(store.list()));
        assertEquals(1, store.count());
        assertFalse(store.delete("gone"));
        assertFalse(store.delete("../keep"));
        assertFalse(store.delete(null));
        assertEquals(1, store.count());
    }

    @Test
    void unknownAndInvalidIdsAreAbsent() throws IOException {
        CaptureStore store = open();
        assertEquals(Optional.empty(), store.find("nope"));
        assertEquals(Optional.empty(), store.find("../etc/passwd"));
        assertEquals(Optional.empty(), store.find(null));
        assertThrows(NoSuchFileException.class, () -> store.readEnvelope("nope"));
        assertThrows(NoSuchFileException.class, () -> store.openMessage("nope"));
        assertThrows(NoSuchFileException.class, () -> store.openMessage("../etc/passwd"));
        assertThrows(NoSuchFileException.class, () -> store.readEnvelope(null));
    }

    @Test
    void constructorCreatesParentsAndValidatesArguments() throws IOException {
        Path nested = tmp.resolve("a/b/c");
        CaptureStore store = new CaptureStore(nested, 1, Duration.ofSeconds(1), clock);
        assertTrue(Files.isDirectory(nested));
        assertEquals(nested.toAbsolutePath().normalize(), store.directory());
        assertEquals(0, store.count());
        assertEquals(List.of(), store.list());
        assertThrows(IllegalArgumentException.class, () -> new CaptureStore(nested, 0, Duration.ofSeconds(1), clock));
        assertThrows(IllegalArgumentException.class, () -> new CaptureStore(nested, 1, Duration.ZERO, clock));
        assertThrows(IllegalArgumentException.class, () -> new CaptureStore(nested, 1, Duration.ofSeconds(-1), clock));
        Path file = Files.write(tmp.resolve("plain-file"), ascii("x"));
        assertThrows(IOException.class, () -> new CaptureStore(file, 1, Duration.ofSeconds(1), clock));
    }

    @Test
    void hugeMaxAgeDoesNotOverflow() throws IOException {
        CaptureStore store = new CaptureStore(dir(), 10, Duration.ofSeconds(Long.MAX_VALUE), clock);
        store.store(envelope("m1", T0), writing(ascii("x")));
        store.enforceRetention();
        assertEquals(1, store.count());
    }
}
