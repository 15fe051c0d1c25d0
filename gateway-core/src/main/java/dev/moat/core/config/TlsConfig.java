package dev.moat.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * @param additional further certificate/key pairs served from the same listener: another key type
 *     (an ECDSA next to an RSA certificate) or other names (chosen by the client's SNI)
 * @param reloadInterval how often the files are checked for changes; zero means never
 */
public record TlsConfig(TlsMode mode, Optional<Path> certificate, Optional<Path> key,
        List<CertificateFiles> additional, Duration reloadInterval) {

    /** How often certificate files are checked for changes unless configured. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofMinutes(1);

    private static final TlsConfig NONE = new TlsConfig(TlsMode.NONE, Optional.empty(), Optional.empty());

    /** One PEM certificate chain with its key. */
    public record CertificateFiles(Path certificate, Path key) {
        public CertificateFiles {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    public TlsConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        additional = List.copyOf(Objects.requireNonNull(additional, "additional"));
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        if (reloadInterval.isNegative()) {
            throw new IllegalArgumentException("reloadInterval must not be negative");
        }
        if (mode == TlsMode.NONE) {
            if (certificate.isPresent() || key.isPresent() || !additional.isEmpty()) {
                throw new IllegalArgumentException("certificate and key must be absent when mode is none");
            }
        } else if (certificate.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException("certificate and key are required when mode is " + mode.yamlName());
        }
    }

    /** One certificate, checked for changes every {@link #DEFAULT_RELOAD_INTERVAL}. */
    public TlsConfig(TlsMode mode, Optional<Path> certificate, Optional<Path> key) {
        this(mode, certificate, key, List.of(), DEFAULT_RELOAD_INTERVAL);
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

    /** Every certificate/key pair, the main one first; empty without TLS. */
    public List<CertificateFiles> allCertificates() {
        if (!enabled()) {
            return List.of();
        }
        List<CertificateFiles> all = new java.util.ArrayList<>();
        all.add(new CertificateFiles(certificate.orElseThrow(), key.orElseThrow()));
        all.addAll(additional);
        return List.copyOf(all);
    }
}
