package dev.moat.filters.addressrewrite;

import java.util.Locale;

/**
 * Reads one rule written as a single string, the form the {@code rules} setting takes until the SPI
 * can hand a filter a list of maps:
 * <pre>
 *   MATCH REPLACE [scope=envelope|headers|both] [applies-to=sender|recipients|both]
 * </pre>
 * MATCH is {@code old@x.test}, {@code @old.test} or {@code /regex/} (which may contain spaces; a
 * {@code /} inside it is written {@code \/}). Words are separated by spaces or tabs.
 */
final class RuleSyntax {

    private RuleSyntax() {
    }

    /** @throws IllegalArgumentException explaining what is wrong */
    static Rule parse(String line) {
        String text = line.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty rule");
        }
        String match;
        String rest;
        if (text.startsWith("/")) {
            int end = closingSlash(text);
            if (end < 0) {
                throw new IllegalArgumentException("rule '" + text + "': the regular expression has no closing '/'"
                        + " followed by a space");
            }
            match = text.substring(0, end + 1);
            rest = text.substring(end + 1).strip();
        } else {
            String[] words = text.split("[ \\t]+", 2);
            match = words[0];
            rest = words.length > 1 ? words[1] : "";
        }
        String[] words = rest.isEmpty() ? new String[0] : rest.split("[ \\t]+");
        if (words.length == 0 || words[0].contains("=") && !words[0].contains("@")) {
            throw new IllegalArgumentException("rule '" + text + "' has no replacement: write MATCH REPLACE [scope=...] [applies-to=...]");
        }
        String replace = words[0];
        Rule.Scope scope = Rule.Scope.ENVELOPE;
        Rule.Side side = Rule.Side.BOTH;
        boolean scopeSeen = false;
        boolean sideSeen = false;
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            int eq = word.indexOf('=');
            String key = eq < 0 ? word : word.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : word.substring(eq + 1).toLowerCase(Locale.ROOT);
            switch (key) {
                case "scope" -> {
                    if (scopeSeen) {
                        throw new IllegalArgumentException("rule '" + text + "' gives scope twice");
                    }
                    scopeSeen = true;
                    scope = switch (value) {
                        case "envelope" -> Rule.Scope.ENVELOPE;
                        case "headers" -> Rule.Scope.HEADERS;
                        case "both" -> Rule.Scope.BOTH;
                        default -> throw new IllegalArgumentException("rule '" + text + "': scope must be envelope, headers or both");
                    };
                }
                case "applies-to" -> {
                    if (sideSeen) {
                        throw new IllegalArgumentException("rule '" + text + "' gives applies-to twice");
                    }
                    sideSeen = true;
                    side = switch (value) {
                        case "sender" -> Rule.Side.SENDER;
                        case "recipients" -> Rule.Side.RECIPIENTS;
                        case "both" -> Rule.Side.BOTH;
                        default -> throw new IllegalArgumentException("rule '" + text + "': applies-to must be sender, recipients or both");
                    };
                }
                default -> throw new IllegalArgumentException("rule '" + text + "': unknown option '" + word
                        + "' (options: scope=envelope|headers|both, applies-to=sender|recipients|both)");
            }
        }
        try {
            return Rule.of(text, match, replace, scope, side);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rule '" + text + "': " + e.getMessage());
        }
    }

    /** The index of the '/' closing a regular expression that starts at 0, followed by white space or the end. */
    private static int closingSlash(String text) {
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '/' && (i + 1 == text.length() || text.charAt(i + 1) == ' ' || text.charAt(i + 1) == '\t')) {
                return i;
            }
        }
        return -1;
    }
}
