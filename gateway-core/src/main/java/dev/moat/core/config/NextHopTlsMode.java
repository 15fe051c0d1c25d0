package dev.moat.core.config;

import java.util.Locale;

/** How an inline route uses STARTTLS towards its next hops (YAML {@code routes[i].tls.mode}). */
public enum NextHopTlsMode {
    /** Never STARTTLS. */
    NONE,
    /** STARTTLS when offered, without checking the certificate (Postfix {@code may}); plaintext otherwise. */
    OPPORTUNISTIC,
    /** STARTTLS must succeed, certificate not checked (Postfix {@code encrypt}); a next hop without it is a failure. */
    REQUIRED,
    /** STARTTLS must succeed with a certificate that chains to the trust file and names the expected host (Postfix {@code secure}). */
    VERIFY;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
