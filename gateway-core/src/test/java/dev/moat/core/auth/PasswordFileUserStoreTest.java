package dev.moat.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.apache.commons.codec.digest.Crypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileUserStoreTest {

    @TempDir
    Path dir;

    private static String sha512(String password) {
        return "{SHA512-CRYPT}" + Crypt.crypt(password.getBytes(StandardCharsets.UTF_8), "$6$abcdefgh$");
    }

    private Path write(String text, int secondsAfterEpoch) throws Exception {
        Path file = dir.resolve("users");
        Files.writeString(file, text);
        // an explicit modification time: a rewrite within the file system's time resolution still counts
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000L + secondsAfterEpoch)));
        return file;
    }

    @Test
    void readsDovecotLinesAndReloadsAfterTheInterval() throws Exception {
        TestNanoClock clock = new TestNanoClock();
        Path file = write("# comment\n\nann:" + sha512("first") + ":1000:1000::/home/ann::\n", 0);
        PasswordFileUserStore store = new PasswordFileUserStore(file, Duration.ofSeconds(5), clock);
        assertTrue(store.authenticate("ann", "first"));
        assertFalse(store.authenticate("Ann", "first"), "user names are case-sensitive, as in Dovecot");
        assertFalse(store.authenticate("nobody", "first"));

        write("ann:" + sha512("second") + "\nbea:" + sha512("third") + "\n", 10);
        assertTrue(store.authenticate("ann", "first"), "not re-read before the interval passed");
        clock.advance(Duration.ofSeconds(5));
        assertTrue(store.authenticate("ann", "second"));
        assertFalse(store.authenticate("ann", "first"));
        assertTrue(store.authenticate("bea", "third"));
        assertEquals(2, store.size());
    }

    @Test
    void aBrokenNewVersionKeepsTheOldUsers() throws Exception {
        TestNanoClock clock = new TestNanoClock();
        Path file = write("ann:" + sha512("first") + "\n", 0);
        PasswordFileUserStore store = new PasswordFileUserStore(file, Duration.ofSeconds(1), clock);
        write("ann:{PLAIN}oops\n", 10);
        clock.advance(Duration.ofSeconds(2));
        assertTrue(store.authenticate("ann", "first"));
    }

    @Test
    void badLinesAreNamedByNumberWithoutTheirContent() throws Exception {
        Path file = write("ann:" + sha512("x") + "\nbea:{PLAIN}topsecret\n", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PasswordFileUserStore(file, Duration.ZERO));
        assertTrue(e.getMessage().startsWith("line 2 (user 'bea'): scheme {PLAIN} is not supported"), e.getMessage());
        assertFalse(e.getMessage().contains("topsecret"));
        Path twice = write("ann:" + sha512("x") + "\nann:" + sha512("y") + "\n", 0);
        assertEquals("line 2: user 'ann' is listed twice",
                assertThrows(IllegalArgumentException.class, () -> new PasswordFileUserStore(twice, Duration.ZERO)).getMessage());
    }
}
