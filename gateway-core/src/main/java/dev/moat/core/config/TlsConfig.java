package dev.moat.core.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS settings of one listener (YAML block {@code listeners[i].tls}).
 *
 * <p>The certificate and key are both present when TLS is on and both absent when it is off, so
 * a listener can never be started with half a TLS setup, and a certificate left in a plain-text
 * listener's block (which an operator may believe is in use) is refused rather than ignored.
 *
 * @param mode whether and how TLS is offered
 * @param certificate the PEM certificate chain, leaf first
 * @param key the PEM private key of the leaf certificate
 */
public record TlsConfig(TlsMode mode, Optional<Path> certificate, Optional<Path> key) {

    private static final TlsConfig NONE = new TlsConfig(TlsMode.NONE, Optional.empty(), Optional.empty());

    public TlsConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        if (mode == TlsMode.NONE) {
            if (certificate.isPresent() || key.isPresent()) {
                throw new IllegalArgumentException("certificate and key must be absent when mode is none");
            }
        } else if (certificate.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException("certificate and key are required when mode is " + mode.yamlName());
        }
    }

    /** No TLS: the value of an omitted {@code tls} block. */
    public static TlsConfig none() {
        return NONE;
    }

    /** TLS in the given mode (starttls or implicit) with the given PEM files. */
    public static TlsConfig of(TlsMode mode, Path certificate, Path key) {
        return new TlsConfig(mode, Optional.of(certificate), Optional.of(key));
    }

    /** Whether TLS is offered at all. */
    public boolean enabled() {
        return mode != TlsMode.NONE;
    }
}
