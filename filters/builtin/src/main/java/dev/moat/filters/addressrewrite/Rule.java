package dev.moat.filters.addressrewrite;

import dev.moat.filter.Address;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One rewriting rule: what it matches (an exact address, a whole domain, or a regular expression over
 * the whole address), what it replaces it with (an address, a new domain keeping the local part, or,
 * for a regular expression, a template with {@code $1}, {@code ${1}} and {@code $$}), where it applies
 * (envelope, headers or both) and to which side (sender, recipients or both). Matching is
 * case-insensitive. Immutable and thread-safe.
 */
final class Rule {

    enum Scope {
        ENVELOPE, HEADERS, BOTH;

        boolean envelope() {
            return this != HEADERS;
        }

        boolean headers() {
            return this != ENVELOPE;
        }
    }

    enum Side {
        SENDER, RECIPIENTS, BOTH;

        /** True if a rule for {@code this} side applies to an address of {@code side}. */
        boolean covers(Side side) {
            return this == BOTH || side == BOTH || this == side;
        }
    }

    private enum MatchKind { ADDRESS, DOMAIN, REGEX }

    private final String text;
    private final MatchKind kind;
    private final String matchLocal;
    private final String matchDomain;
    private final Pattern pattern;
    private final String replacement;
    private final Scope scope;
    private final Side side;

    private Rule(String text, MatchKind kind, String matchLocal, String matchDomain, Pattern pattern, String replacement,
            Scope scope, Side side) {
        this.text = text;
        this.kind = kind;
        this.matchLocal = matchLocal;
        this.matchDomain = matchDomain;
        this.pattern = pattern;
        this.replacement = replacement;
        this.scope = scope;
        this.side = side;
    }

    /**
     * Builds a rule from its four fields, as a map of the configuration would give them.
     *
     * @throws IllegalArgumentException explaining what is wrong
     */
    static Rule of(String text, String match, String replace, Scope scope, Side side) {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(replace, "replace");
        if (match.length() >= 2 && match.startsWith("/") && match.endsWith("/")) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(match.substring(1, match.length() - 1), Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("match " + match + " is not a valid regular expression: " + e.getDescription());
            }
            checkTemplate(replace, pattern.matcher("").groupCount());
            return new Rule(text, MatchKind.REGEX, null, null, pattern, replace, scope, side);
        }
        checkLiteralReplacement(replace);
        if (match.startsWith("@")) {
            String domain = match.substring(1);
            if (!isDomain(domain)) {
                throw new IllegalArgumentException("match '" + match + "' is not @domain, an address or /regex/");
            }
            return new Rule(text, MatchKind.DOMAIN, null, domain.toLowerCase(Locale.ROOT), null, replace, scope, side);
        }
        Address address;
        try {
            address = Address.parse(match);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("match '" + match + "' is not an address, @domain or /regex/");
        }
        return new Rule(text, MatchKind.ADDRESS, address.localPart(), address.domain().toLowerCase(Locale.ROOT), null, replace,
                scope, side);
    }

    Scope scope() {
        return scope;
    }

    Side side() {
        return side;
    }

    /** The rule as configured, for messages. */
    @Override
    public String toString() {
        return text;
    }

    /**
     * The rewritten address if this rule matches {@code address}, else null.
     *
     * @throws IllegalArgumentException if a regular expression's result is not an address
     */
    Address apply(Address address) {
        switch (kind) {
            case ADDRESS:
                if (!address.domain().equalsIgnoreCase(matchDomain) || !address.localPart().equalsIgnoreCase(matchLocal)) {
                    return null;
                }
                return replaceWith(replacement, address);
            case DOMAIN:
                if (!address.domain().equalsIgnoreCase(matchDomain)) {
                    return null;
                }
                return replaceWith(replacement, address);
            case REGEX:
            default:
                Matcher m = pattern.matcher(address.toString());
                if (!m.matches()) {
                    return null;
                }
                return replaceWith(expand(replacement, m), address);
        }
    }

    /** {@code @domain} keeps the local part; anything else is the whole new address. */
    private static Address replaceWith(String result, Address original) {
        if (result.startsWith("@")) {
            return Address.of(original.localPart(), result.substring(1));
        }
        return Address.parse(result);
    }

    /** Substitutes {@code $n}, {@code ${n}} and {@code $$} in a checked template. */
    private static String expand(String template, Matcher m) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '$') {
                out.append(c);
                continue;
            }
            char next = template.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i++;
            } else if (next == '{') {
                int close = template.indexOf('}', i);
                String group = m.group(Integer.parseInt(template.substring(i + 2, close)));
                out.append(group == null ? "" : group);
                i = close;
            } else {
                int j = i + 1;
                while (j < template.length() && Character.isDigit(template.charAt(j)) && j - i <= 2) {
                    j++;
                }
                String group = m.group(Integer.parseInt(template.substring(i + 1, j)));
                out.append(group == null ? "" : group);
                i = j - 1;
            }
        }
        return out.toString();
    }

    /** A template may use $1..$n, ${n} and $$; groups must exist; the literal parts must leave an address shape. */
    private static void checkTemplate(String template, int groups) {
        StringBuilder shape = new StringBuilder();
        boolean usesGroups = false;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '$') {
                shape.append(c);
                continue;
            }
            if (i + 1 >= template.length()) {
                throw new IllegalArgumentException("replace '" + template + "' ends with '$' (write $$ for a dollar sign)");
            }
            char next = template.charAt(i + 1);
            int group;
            if (next == '$') {
                shape.append('$');
                i++;
                continue;
            } else if (next == '{') {
                int close = template.indexOf('}', i);
                if (close < 0 || !template.substring(i + 2, close).matches("\\d{1,2}")) {
                    throw new IllegalArgumentException("replace '" + template + "': '${' must be followed by a group number and '}'");
                }
                group = Integer.parseInt(template.substring(i + 2, close));
                i = close;
            } else if (Character.isDigit(next)) {
                int j = i + 1;
                while (j < template.length() && Character.isDigit(template.charAt(j)) && j - i <= 2) {
                    j++;
                }
                group = Integer.parseInt(template.substring(i + 1, j));
                i = j - 1;
            } else {
                throw new IllegalArgumentException("replace '" + template + "': '$' must be followed by a group number,"
                        + " {number} or $ (write $$ for a dollar sign)");
            }
            if (group > groups) {
                throw new IllegalArgumentException("replace '" + template + "' uses group " + group + " but the regular expression has "
                        + groups + (groups == 1 ? " group" : " groups"));
            }
            shape.append('x');
            usesGroups = true;
        }
        if (usesGroups && shape.indexOf("@") < 0) {
            if (!shape.toString().matches("x+")) {
                throw new IllegalArgumentException("replace '" + template + "' has no '@': write $1@domain, @domain or an address");
            }
            return; // only group references, e.g. $1 for a whole captured address: checked when used
        }
        checkLiteralReplacement(shape.toString());
    }

    private static void checkLiteralReplacement(String replace) {
        if (replace.startsWith("@")) {
            if (!isDomain(replace.substring(1))) {
                throw new IllegalArgumentException("replace '" + replace + "' is not @domain or an address");
            }
            return;
        }
        try {
            Address.parse(replace);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("replace '" + replace + "' is not an address or @domain");
        }
    }

    /** Host name syntax (letters, digits, '-' in dot-separated labels) or an address literal. */
    static boolean isDomain(String name) {
        if (name.startsWith("[") && name.endsWith("]") && name.length() > 2) {
            return name.substring(1, name.length() - 1).matches("(?i)(ipv6:)?[0-9a-f:.]+");
        }
        return name.length() <= 253 && name.matches("(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    }
}
