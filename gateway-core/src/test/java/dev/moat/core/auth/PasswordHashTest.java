package dev.moat.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stored hashes as other software writes them. The reference values were made by independent
 * implementations (libxcrypt through Python's crypt module, and OpenSSL's {@code passwd -6/-5}) for the
 * password {@code s3cret pass}.
 */
class PasswordHashTest {

    private static final String PASSWORD = "s3cret pass";

    @ParameterizedTest
    @ValueSource(strings = {
        "{SHA512-CRYPT}$6$rounds=5000$abcdefgh12345678$HbqymjKCBe4PsXlq4Q/t3tP3zW3njXqB8ga7L63tZfk6FUROpzk5gy5nXOx99pnnMX9cjpLtifch.2HWVTMRK0",
        "{SHA512-CRYPT}$6$saltsalt$osX/3U830g/zrFjlLO4TCL7anTNnqPEtGZkQlCTVqQ4pIrvUWJgcB5qXW3Wio7X4AzYGVHZaxr6U8FI7Xf77C/",
        "$6$saltsalt$osX/3U830g/zrFjlLO4TCL7anTNnqPEtGZkQlCTVqQ4pIrvUWJgcB5qXW3Wio7X4AzYGVHZaxr6U8FI7Xf77C/",
        "{SHA256-CRYPT}$5$saltsalt$PSOaQ1.uAjoqVUkrZPH7nqXa/TZbB4/.vAbfkDlIjN2",
        "{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuu1qdcFaS0PtqFUPzaCxLQ8/0lspH0ZEW",
        "{BLF-CRYPT}$2b$05$OfQWoQizk.2f.dWIqFUhmORaUYE8qk5JTN7iAYBZvHQ9LSm9Lglsu",
        "{CRYPT}$2a$04$abcdefghijklmnopqrstuuoBpIrM0OnplXjsOI8DWYJTHUhJDuUv.",
        "$2a$04$abcdefghijklmnopqrstuuoBpIrM0OnplXjsOI8DWYJTHUhJDuUv."})
    void referenceHashesVerify(String stored) {
        PasswordHash hash = PasswordHash.parse(stored);
        assertTrue(hash.verify(PASSWORD), stored);
        assertFalse(hash.verify("s3cret pas"), stored);
        assertFalse(hash.verify("s3cret pass "), stored);
        assertFalse(hash.verify(""), stored);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{PLAIN}s3cret pass", "{MD5}abc", "{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=", "{CLEARTEXT}x",
        "{SHA512-CRYPT}$5$saltsalt$PSOaQ1.uAjoqVUkrZPH7nqXa/TZbB4/.vAbfkDlIjN2",
        "{BLF-CRYPT}$6$saltsalt$osX/3U830g/zrFjlLO4TCL7anTNnqPEtGZkQlCTVqQ4pIrvUWJgcB5qXW3Wio7X4AzYGVHZaxr6U8FI7Xf77C/",
        "{BLF-CRYPT}$2y$05$short", "{SHA512-CRYPT", "plaintext", "$1$saltsalt$abcdefghijklmnopqrstuv"})
    void plainTextWeakAndMalformedValuesAreRefused(String stored) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(stored));
        assertFalse(e.getMessage().contains("s3cret"), "the message must not quote the stored value: " + e.getMessage());
    }

    @Test
    void overlongBcryptPasswordIsNoMatchAndNoException() {
        PasswordHash hash = PasswordHash.parse("{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuu1qdcFaS0PtqFUPzaCxLQ8/0lspH0ZEW");
        assertFalse(hash.verify("x".repeat(200)));
        assertEquals("PasswordHash[BLF-CRYPT]", hash.toString());
    }
}
