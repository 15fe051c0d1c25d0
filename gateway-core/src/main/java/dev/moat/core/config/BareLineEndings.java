package dev.moat.core.config;

import java.util.Locale;

/**
 * What to do with a lone CR or LF inside a message (YAML {@code limits.bare-line-endings}).
 *
 * <p>SMTP lines end in CRLF. Servers that disagree on what a bare LF means can be made to see
 * different message boundaries (SMTP smuggling), so a gateway must not pass such bytes on as they
 * are.
 */
public enum BareLineEndings {
    /** Refuse the message with {@code 550 5.6.11}. YAML {@code reject}. */
    REJECT,
    /** Rewrite each bare CR or LF to CRLF before the message goes further. YAML {@code normalize}. */
    NORMALIZE;

    /** The spelling in the YAML file. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
