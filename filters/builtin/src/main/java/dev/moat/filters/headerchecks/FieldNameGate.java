package dev.moat.filters.headerchecks;

import java.util.regex.Pattern;

/**
 * The field name a rule's pattern can only match, when the pattern says so plainly: {@code /^Subject:/}
 * matches a field {@code Name: value} only if {@code Name} is {@code Subject} (ignoring case unless the
 * rule is case-sensitive). Knowing it lets a table of twenty {@code ^Name:} rules skip the regex engine
 * for every field of another name, which is most of the work on a message that matches nothing.
 *
 * <p>Conservative by design: a name is derived only for a pattern that starts with {@code ^}, then
 * letters, digits and hyphens, then a {@code :} that no quantifier follows, with no {@code |} outside
 * brackets and without the multi-line or comments flags; anything else (escapes, groups, inline flags
 * before the name) gets no gate and runs the regex as always. A field name never contains {@code :}, so
 * for such a pattern a field of another name cannot match: skipping gives the same answer.
 */
final class FieldNameGate {

    private FieldNameGate() {
    }

    /** The only field name {@code pattern} can match, or null when that is not plain from its text. */
    static String requiredName(Pattern pattern) {
        if ((pattern.flags() & (Pattern.MULTILINE | Pattern.COMMENTS | Pattern.LITERAL)) != 0) {
            return null;
        }
        String regex = pattern.pattern();
        if (regex.length() < 3 || regex.charAt(0) != '^' || hasTopLevelAlternation(regex)) {
            return null;
        }
        int end = 1;
        while (end < regex.length() && isNameChar(regex.charAt(end))) {
            end++;
        }
        if (end == 1 || end >= regex.length() || regex.charAt(end) != ':') {
            return null;
        }
        if (end + 1 < regex.length() && "?*+{".indexOf(regex.charAt(end + 1)) >= 0) {
            return null;
        }
        return regex.substring(1, end);
    }

    /** Whether a field called {@code fieldName} can match a pattern whose required name is {@code required}. */
    static boolean admits(String required, Pattern pattern, String fieldName) {
        if (required == null) {
            return true;
        }
        return (pattern.flags() & Pattern.CASE_INSENSITIVE) != 0
                ? required.equalsIgnoreCase(fieldName)
                : required.equals(fieldName);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    /** Whether a {@code |} stands outside every group and bracket (then {@code ^Name:} is only one branch). */
    private static boolean hasTopLevelAlternation(String regex) {
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                if (i + 1 < regex.length() && regex.charAt(i + 1) == 'Q') {
                    int quoteEnd = regex.indexOf("\\E", i + 2);
                    i = quoteEnd < 0 ? regex.length() : quoteEnd + 1;
                } else {
                    i++;
                }
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth <= 0) {
                return true;
            }
        }
        return false;
    }
}
