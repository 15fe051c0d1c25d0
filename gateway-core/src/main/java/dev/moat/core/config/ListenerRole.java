package dev.moat.core.config;

import java.util.Locale;

/**
 * What a listener is for (YAML {@code listeners[i].role}). The role decides whether AUTH is offered
 * and whether mail may be sent without it; the TLS mode must fit the role.
 */
public enum ListenerRole {
    /** Mail from the internet (port 25): no AUTH, the filter chain decides. YAML {@code mx}. */
    MX,
    /**
     * Message submission (RFC 6409, port 587): STARTTLS before AUTH and MAIL, AUTH before MAIL.
     * Needs {@code tls.mode: starttls}. YAML {@code submission}.
     */
    SUBMISSION,
    /** Submission over implicit TLS (RFC 8314, port 465): AUTH before MAIL. Needs {@code tls.mode: implicit}. YAML {@code submissions}. */
    SUBMISSIONS;

    /** The spelling in the YAML file. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether clients must authenticate before MAIL on such a listener. */
    public boolean requiresAuth() {
        return this != MX;
    }

    /** The TLS mode a listener of this role must have; empty when any mode will do. */
    public java.util.Optional<TlsMode> requiredTlsMode() {
        return switch (this) {
            case MX -> java.util.Optional.empty();
            case SUBMISSION -> java.util.Optional.of(TlsMode.STARTTLS);
            case SUBMISSIONS -> java.util.Optional.of(TlsMode.IMPLICIT);
        };
    }
}
