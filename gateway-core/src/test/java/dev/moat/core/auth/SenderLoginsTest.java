package dev.moat.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SenderLoginsTest {

    @TempDir
    Path dir;

    @Test
    void addressesAndDomainsPerUser() throws Exception {
        Path file = dir.resolve("map");
        Files.writeString(file, "# who may send as whom\nann: ann@example.com, @ann.example\nsvc-app:  noreply@example.com\n");
        SenderLogins logins = SenderLogins.fromFile(file, Duration.ZERO, System::nanoTime);
        assertTrue(logins.allows("ann", Optional.of("Ann@Example.COM")));
        assertTrue(logins.allows("ann", Optional.of("x@ann.example")));
        assertFalse(logins.allows("ann", Optional.of("x@sub.ann.example")), "a domain entry is that domain only");
        assertFalse(logins.allows("ann", Optional.of("noreply@example.com")));
        assertTrue(logins.allows("svc-app", Optional.of("noreply@example.com")));
        assertFalse(logins.allows("unlisted", Optional.of("unlisted@example.com")));
        assertTrue(logins.allows("unlisted", Optional.empty()), "null sender");
    }

    @Test
    void withoutAFileTheLoginNameIsTheOnlyAddress() {
        SenderLogins logins = SenderLogins.loginNameOnly();
        assertTrue(logins.allows("ann@example.com", Optional.of("ANN@example.com")));
        assertFalse(logins.allows("ann@example.com", Optional.of("bob@example.com")));
        assertFalse(logins.allows("ann", Optional.of("ann@example.com")));
    }

    @Test
    void badEntriesAreRefusedWithTheirLine() throws Exception {
        Path file = dir.resolve("map");
        Files.writeString(file, "ann: ann@example.com\nbob: example.com\n");
        assertEquals("line 2: 'example.com' is neither an address (user@example.com) nor a domain (@example.com)",
                assertThrows(IllegalArgumentException.class,
                        () -> SenderLogins.fromFile(file, Duration.ZERO, System::nanoTime)).getMessage());
    }
}
