package dev.moat.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * One stored password hash in a form that Dovecot ({@code doveadm pw}) writes: {@code {BLF-CRYPT}$2y$…},
 * {@code {SHA512-CRYPT}$6$…}, {@code {SHA256-CRYPT}$5$…}, {@code {CRYPT}…} or a bare modular-crypt
 * string ({@code $2y$…}, {@code $6$…}, {@code $5$…}). Plain-text and unsalted schemes ({@code {PLAIN}},
 * {@code {MD5}}, {@code {SHA}}…) are refused: a leaked users file must not give passwords away.
 * Immutable; {@link #verify} compares in constant time.
 */
final class PasswordHash {

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    private static final Pattern SHA_CRYPT = Pattern.compile("\\$[56]\\$(rounds=[0-9]{1,9}\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{43,86}");

    private final String hash;
    private final boolean bcrypt;

    private PasswordHash(String hash, boolean bcrypt) {
        this.hash = hash;
        this.bcrypt = bcrypt;
    }

    /**
     * Parses a stored value.
     *
     * @throws IllegalArgumentException naming the problem, never quoting the value
     */
    static PasswordHash parse(String stored) {
        String value = stored;
        String scheme = "CRYPT";
        if (value.startsWith("{")) {
            int close = value.indexOf('}');
            if (close < 0) {
                throw new IllegalArgumentException("the scheme prefix has no closing '}'");
            }
            scheme = value.substring(1, close).toUpperCase(Locale.ROOT);
            value = value.substring(close + 1);
        }
        switch (scheme) {
            case "BLF-CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "CRYPT" -> {
                // checked by the form of the hash below
            }
            default -> throw new IllegalArgumentException("scheme {" + scheme + "} is not supported (use BLF-CRYPT or SHA512-CRYPT,"
                    + " e.g. from 'doveadm pw -s BLF-CRYPT')");
        }
        if (BCRYPT.matcher(value).matches() && !scheme.startsWith("SHA")) {
            return new PasswordHash(value, true);
        }
        if (SHA_CRYPT.matcher(value).matches() && !scheme.equals("BLF-CRYPT")
                && !(scheme.equals("SHA512-CRYPT") && value.startsWith("$5$"))
                && !(scheme.equals("SHA256-CRYPT") && value.startsWith("$6$"))) {
            return new PasswordHash(value, false);
        }
        throw new IllegalArgumentException("the hash is not a valid {" + scheme + "} value"
                + " (expected $2y$/$2b$/$2a$ for bcrypt, $6$ for SHA512-CRYPT, $5$ for SHA256-CRYPT)");
    }

    /** Whether {@code password} hashes to this value; any failure is {@code false}. */
    boolean verify(String password) {
        try {
            if (bcrypt) {
                // Compares the recomputed string in constant time.
                return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
            }
            String computed = Crypt.crypt(password.getBytes(StandardCharsets.UTF_8), hash);
            return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            // e.g. a bcrypt password over 72 bytes: never a match, and never an exception that could carry it
            return false;
        }
    }

    Optional<String> scheme() {
        return Optional.of(bcrypt ? "BLF-CRYPT" : hash.startsWith("$6$") ? "SHA512-CRYPT" : "SHA256-CRYPT");
    }

    @Override
    public String toString() {
        return "PasswordHash[" + scheme().orElseThrow() + "]";
    }
}
