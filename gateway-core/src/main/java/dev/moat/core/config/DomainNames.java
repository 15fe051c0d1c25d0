package dev.moat.core.config;

import java.util.regex.Pattern;

/**
 * The syntax of a DNS host name as Moat accepts it in its configuration: ASCII letters, digits and
 * hyphens in dot-separated labels of 1 to 63 characters, a label neither starting nor ending with
 * a hyphen, at most 253 characters in all, no trailing dot.
 *
 * <p>Internationalised names must be written in their ASCII (punycode) form, which is what travels
 * in SMTP without SMTPUTF8 and what DNS answers for.
 */
final class DomainNames {

    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern NAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");

    private DomainNames() {}

    static boolean isValid(String name) {
        return name != null && name.length() <= 253 && NAME.matcher(name).matches();
    }
}
