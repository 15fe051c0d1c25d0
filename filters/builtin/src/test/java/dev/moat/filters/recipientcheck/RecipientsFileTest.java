package dev.moat.filters.recipientcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reloading recipients file on its own, with a controlled clock and under concurrent lookups. */
class RecipientsFileTest {

    @TempDir
    Path dir;

    private static final Address ALICE = Address.of("alice", "ours.test");
    private static final Address BOB = Address.of("bob", "ours.test");

    @Test
    void checksTheFileOnlyOncePerInterval() throws Exception {
        Path path = dir.resolve("r");
        Files.writeString(path, "alice@ours.test\n");
        AtomicLong now = new AtomicLong(1_000_000_000L);
        RecipientsFile file = RecipientsFile.open(path, Duration.ofSeconds(5), now::get);
        assertEquals(RecipientsFile.Lookup.KNOWN, file.lookup(ALICE));

        atomicReplace(path, "bob@ours.test\n");
        now.addAndGet(Duration.ofMillis(4999).toNanos());
        assertEquals(RecipientsFile.Lookup.KNOWN, file.lookup(ALICE));
        assertEquals(RecipientsFile.Lookup.UNKNOWN, file.lookup(BOB));
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertEquals(RecipientsFile.Lookup.UNKNOWN, file.lookup(ALICE));
        assertEquals(RecipientsFile.Lookup.KNOWN, file.lookup(BOB));

        Files.delete(path);
        assertEquals(RecipientsFile.Lookup.KNOWN, file.lookup(BOB)); // not checked again yet
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(RecipientsFile.Lookup.FAILURE, file.lookup(BOB));
        Files.writeString(path, "alice@ours.test\n");
        assertEquals(RecipientsFile.Lookup.FAILURE, file.lookup(ALICE)); // retried only after the interval
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(RecipientsFile.Lookup.KNOWN, file.lookup(ALICE));
        assertEquals(1, file.size());
    }

    @Test
    void anAtomicallyReplacedFileIsNoticedEvenWithTheSameSizeAndTime() throws Exception {
        Path path = dir.resolve("r");
        Files.writeString(path, "alice@ours.test\n");
        AtomicLong now = new AtomicLong();
        RecipientsFile file = RecipientsFile.open(path, Duration.ZERO, now::get);
        var modified = Files.getLastModifiedTime(path);
        Path tmp = dir.resolve("r.tmp");
        Files.writeString(tmp, "bbbbb@ours.test\n"); // same length
        Files.setLastModifiedTime(tmp, modified);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(RecipientsFile.Lookup.UNKNOWN, file.lookup(ALICE)); // a new inode
    }

    @Test
    void aBadFileAtStartUpIsRefused() throws Exception {
        Path path = dir.resolve("r");
        Files.writeString(path, "# ok\nalice@ours.test\n\nfoo bar\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecipientsFile.open(path, Duration.ZERO, System::nanoTime));
        assertTrue(e.getMessage().contains("line 4: 'foo' is not an address or @domain"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecipientsFile.open(dir, Duration.ZERO, System::nanoTime));
    }

    @Test
    void concurrentLookupsWhileTheFileIsReplaced() throws Exception {
        Path path = dir.resolve("r");
        Files.writeString(path, "alice@ours.test\n");
        RecipientsFile file = RecipientsFile.open(path, Duration.ZERO, System::nanoTime);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int lookups = 0;
                    while (!stop.get()) {
                        RecipientsFile.Lookup a = file.lookup(ALICE);
                        if (a == RecipientsFile.Lookup.FAILURE) {
                            throw new AssertionError("an atomically replaced file must never fail a lookup");
                        }
                        lookups++;
                    }
                    return lookups;
                }));
            }
            for (int i = 0; i < 100; i++) {
                atomicReplace(path, i % 2 == 0 ? "bob@ours.test\n" : "alice@ours.test\nbob@ours.test\n");
            }
            stop.set(true);
            for (Future<Integer> r : results) {
                assertTrue(r.get(10, TimeUnit.SECONDS) > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void atomicReplace(Path path, String content) throws Exception {
        Path tmp = dir.resolve(path.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
