package dev.moat.filters.headerchecks;

import dev.moat.filter.InvalidSettingException;
import dev.moat.filters.headerchecks.HeaderRule.Action;
import dev.moat.filters.headerchecks.HeaderRule.Condition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads rules written in Postfix {@code regexp:} table syntax (regexp_table(5)), as used by
 * {@code header_checks}:
 *
 * <pre>
 * # comment
 * /^Subject:.*viagra/         REJECT no pills here
 * !/^From:.*@example\.com/i   WARN not from us
 * if /^Received:/
 * /by mx\.example\.org/       DUNNO
 * endif
 * /^X-Spam-Flag: YES/         HOLD flagged as spam
 * /^(X-Mailer: .*)bulk(.*)/   REPLACE $1mass$2
 * </pre>
 *
 * A logical line starts with non-whitespace; a line starting with whitespace continues it (joined
 * with one space). Blank
 * lines and lines whose first non-whitespace character is {@code #} are ignored. The delimiter is any
 * non-alphanumeric, non-whitespace character other than a backslash. As in Postfix, matching is
 * case-insensitive unless the {@code i} flag is given (it toggles); {@code m}, {@code s} and
 * {@code x} toggle multi-line, dot-all and comments mode. Patterns are Java regular expressions
 * (Perl-like, as in Postfix {@code pcre:} tables); POSIX bracket classes such as {@code [:space:]}
 * are translated. Every problem is an {@link InvalidSettingException} naming the setting and the line.
 */
final class RegexpTableParser {

    private static final Map<String, Action> KEYWORDS = Map.ofEntries(
            Map.entry("REJECT", Action.REJECT),
            Map.entry("DEFER", Action.TEMPFAIL),
            Map.entry("TEMPFAIL", Action.TEMPFAIL),
            Map.entry("DISCARD", Action.DISCARD),
            Map.entry("HOLD", Action.QUARANTINE),
            Map.entry("QUARANTINE", Action.QUARANTINE),
            Map.entry("WARN", Action.WARN),
            Map.entry("INFO", Action.INFO),
            Map.entry("IGNORE", Action.REMOVE),
            Map.entry("REMOVE", Action.REMOVE),
            Map.entry("PREPEND", Action.ADD),
            Map.entry("ADD", Action.ADD),
            Map.entry("REPLACE", Action.REPLACE),
            Map.entry("DUNNO", Action.DUNNO),
            Map.entry("OK", Action.DUNNO),
            Map.entry("PASS", Action.PASS));

    static final String SUPPORTED = "REJECT, DEFER (TEMPFAIL), 4NN/5NN text, DISCARD, HOLD (QUARANTINE), WARN, INFO, "
            + "IGNORE (REMOVE), PREPEND (ADD), REPLACE, DUNNO, OK, PASS";

    private static final Pattern CODE = Pattern.compile("[45][0-9][0-9]");
    /** A header field as the text of PREPEND/REPLACE: a name of printable ASCII without colon, a colon, a value. */
    static final Pattern FIELD_TEXT = Pattern.compile("([\\x21-\\x39\\x3B-\\x7E]{1,100}):[ \\t]?(.*)", Pattern.DOTALL);

    private static final String[][] POSIX_CLASSES = {
        {"[:alnum:]", "\\p{Alnum}"}, {"[:alpha:]", "\\p{Alpha}"}, {"[:blank:]", "\\p{Blank}"},
        {"[:cntrl:]", "\\p{Cntrl}"}, {"[:digit:]", "\\p{Digit}"}, {"[:graph:]", "\\p{Graph}"},
        {"[:lower:]", "\\p{Lower}"}, {"[:print:]", "\\p{Print}"}, {"[:punct:]", "\\p{Punct}"},
        {"[:space:]", "\\s"}, {"[:upper:]", "\\p{Upper}"}, {"[:xdigit:]", "\\p{XDigit}"},
    };

    private final String settingKey;
    private final List<HeaderRule> rules = new ArrayList<>();
    private final Deque<Condition> conditions = new ArrayDeque<>();
    private String openIfSource;

    private RegexpTableParser(String settingKey) {
        this.settingKey = settingKey;
    }

    /**
     * Parses the lines of a table file; sources are {@code name:line}.
     *
     * @throws InvalidSettingException naming {@code settingKey} on the first bad line
     */
    static List<HeaderRule> parseFile(List<String> lines, String name, String settingKey) {
        RegexpTableParser parser = new RegexpTableParser(settingKey);
        StringBuilder logical = null;
        int logicalLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = stripTrailing(lines.get(i));
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (logical == null) {
                    throw new InvalidSettingException(settingKey, name + ":" + (i + 1)
                            + ": a line starting with white space continues a rule, but there is no rule before it");
                }
                logical.append(' ').append(trimmed);
                continue;
            }
            if (logical != null) {
                parser.logicalLine(logical.toString(), name + ":" + logicalLine);
            }
            logical = new StringBuilder(line);
            logicalLine = i + 1;
        }
        if (logical != null) {
            parser.logicalLine(logical.toString(), name + ":" + logicalLine);
        }
        return parser.finish(name);
    }

    /**
     * Parses rules given one per list entry (an entry may itself hold continuation lines); sources
     * are {@code settingKey[index]}.
     */
    static List<HeaderRule> parseEntries(List<String> entries, String settingKey) {
        RegexpTableParser parser = new RegexpTableParser(settingKey);
        for (int i = 0; i < entries.size(); i++) {
            String source = settingKey + "[" + i + "]";
            String entry = entries.get(i).replace("\r\n", "\n").replace('\r', '\n');
            StringBuilder joined = new StringBuilder();
            for (String line : entry.split("\n")) {
                if (!line.isBlank()) {
                    joined.append(joined.length() == 0 ? stripTrailing(line) : " " + line.strip());
                }
            }
            String text = joined.toString().strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            parser.logicalLine(text, source);
        }
        return parser.finish(settingKey);
    }

    private List<HeaderRule> finish(String name) {
        if (!conditions.isEmpty()) {
            throw error(openIfSource, "'if' without a matching 'endif' before the end of " + name);
        }
        return List.copyOf(rules);
    }

    private void logicalLine(String line, String source) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.equals("endif")) {
            if (conditions.isEmpty()) {
                throw error(source, "'endif' without a matching 'if'");
            }
            conditions.pop();
            return;
        }
        boolean isIf = lower.startsWith("if") && line.length() > 2 && Character.isWhitespace(line.charAt(2));
        int pos = isIf ? skipWhitespace(line, 2) : 0;
        boolean negated = false;
        if (pos < line.length() && line.charAt(pos) == '!') {
            negated = true;
            pos = skipWhitespace(line, pos + 1);
        }
        if (pos >= line.length()) {
            throw error(source, "expected /pattern/ but the line ends");
        }
        char delimiter = line.charAt(pos);
        if (Character.isLetterOrDigit(delimiter) || Character.isWhitespace(delimiter) || delimiter == '\\') {
            throw error(source, "expected /pattern/ (or 'if', 'endif'), found '" + abbreviate(line) + "'");
        }
        int end = pos + 1;
        while (end < line.length() && line.charAt(end) != delimiter) {
            end += line.charAt(end) == '\\' ? 2 : 1;
        }
        if (end >= line.length()) {
            throw error(source, "pattern has no closing '" + delimiter + "'");
        }
        String regex = line.substring(pos + 1, end);
        int flagsEnd = end + 1;
        while (flagsEnd < line.length() && !Character.isWhitespace(line.charAt(flagsEnd))) {
            flagsEnd++;
        }
        Pattern pattern = compile(regex, line.substring(end + 1, flagsEnd), source);
        String result = line.substring(flagsEnd).strip();
        if (isIf) {
            if (!result.isEmpty()) {
                throw error(source, "'if' takes only a pattern, found '" + abbreviate(result) + "' after it");
            }
            if (conditions.isEmpty()) {
                openIfSource = source;
            }
            conditions.push(new Condition(pattern, negated));
            return;
        }
        if (result.isEmpty()) {
            throw error(source, "pattern has no action after it (e.g. REJECT text)");
        }
        int space = 0;
        while (space < result.length() && !Character.isWhitespace(result.charAt(space))) {
            space++;
        }
        String keyword = result.substring(0, space);
        String text = result.substring(space).strip();
        String upper = keyword.toUpperCase(Locale.ROOT);
        int code = 0;
        Action action = KEYWORDS.get(upper);
        if (action == null && CODE.matcher(keyword).matches()) {
            code = Integer.parseInt(keyword);
            action = code >= 500 ? Action.REJECT : Action.TEMPFAIL;
        }
        if (action == null) {
            throw error(source, "action '" + keyword + "' is not supported (supported: " + SUPPORTED + ")");
        }
        List<Condition> enclosing = new ArrayList<>(conditions);
        java.util.Collections.reverse(enclosing);
        HeaderRule rule = new HeaderRule(enclosing, pattern, negated, action, code, text, source);
        check(rule, pattern, source);
        rules.add(rule);
    }

    private void check(HeaderRule rule, Pattern pattern, String source) {
        String text = rule.text();
        for (int i = 0; i + 1 < text.length(); i++) {
            if (text.charAt(i) != '$') {
                continue;
            }
            HeaderRule.Reference ref = HeaderRule.Reference.at(text, i);
            if (ref == null || ref.group() < 0) {
                i = ref == null ? i : ref.end() - 1;
                continue;
            }
            if (rule.negated()) {
                throw error(source, "a negated pattern (!/.../) has no groups to use as $" + ref.group());
            }
            if (ref.group() > pattern.matcher("").groupCount()) {
                throw error(source, "$" + ref.group() + " refers to a group the pattern does not have");
            }
            i = ref.end() - 1;
        }
        switch (rule.action()) {
            case ADD, REPLACE -> {
                if (!FIELD_TEXT.matcher(text).matches()) {
                    throw error(source, (rule.action() == Action.ADD ? "PREPEND" : "REPLACE")
                            + " needs a header field as its text, e.g. 'X-Checked: yes'");
                }
            }
            case REJECT, TEMPFAIL -> {
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c < 0x20 || c > 0x7E) {
                        throw error(source, "reply text must be printable ASCII");
                    }
                }
            }
            default -> {
                // other actions take free text (logged or stored, never sent)
            }
        }
    }

    private Pattern compile(String regex, String flagText, String source) {
        int flags = Pattern.CASE_INSENSITIVE;
        for (char f : flagText.toCharArray()) {
            switch (f) {
                case 'i' -> flags ^= Pattern.CASE_INSENSITIVE;
                case 'm' -> flags ^= Pattern.MULTILINE;
                case 's' -> flags ^= Pattern.DOTALL;
                case 'x' -> flags ^= Pattern.COMMENTS;
                default -> throw error(source, "unknown pattern flag '" + f + "' (known: i, m, s, x)");
            }
        }
        String translated = regex;
        for (String[] posix : POSIX_CLASSES) {
            translated = translated.replace(posix[0], posix[1]);
        }
        try {
            return Pattern.compile(translated, flags);
        } catch (PatternSyntaxException e) {
            throw error(source, "bad pattern: " + e.getDescription() + " near index " + e.getIndex()
                    + " of /" + abbreviate(regex) + "/");
        }
    }

    private InvalidSettingException error(String source, String reason) {
        return new InvalidSettingException(settingKey, source + ": " + reason);
    }

    private static int skipWhitespace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String stripTrailing(String line) {
        return line.stripTrailing();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
