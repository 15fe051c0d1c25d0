package dev.moat.core.config;

import java.util.Locale;

/**
 * How a listener offers TLS (YAML {@code tls.mode}).
 *
 * <p>There is no "required" mode on purpose: whether a client must use STARTTLS before sending
 * mail is a policy decision that belongs to a filter, where it can depend on who the client is —
 * except on submission listeners, whose {@link ListenerRole} requires TLS before AUTH and MAIL.
 */
public enum TlsMode {
    /** Plain text only; STARTTLS is not advertised. YAML {@code none}. */
    NONE,
    /** Plain text at first, STARTTLS advertised in the EHLO reply (port 25, 587). YAML {@code starttls}. */
    STARTTLS,
    /** TLS from the first byte (SMTPS, port 465). YAML {@code implicit}. */
    IMPLICIT;

    /** The spelling in the YAML file. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
