package dev.moat.filters.headerchecks;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rule of a header-checks table: a pattern (possibly negated), the {@code if} conditions that
 * enclose it, an action and the action's text. Immutable and thread-safe (a {@link Pattern} is).
 *
 * @param conditions the enclosing {@code if /pattern/} blocks, outermost first; all must hold
 * @param pattern    matched against the whole unfolded field {@code Name: value}
 * @param negated    {@code !/pattern/}: the rule matches when the pattern does not
 * @param action     what to do on a match
 * @param code       the SMTP code of a {@code 4NN}/{@code 5NN} action; 0 otherwise
 * @param text       the action's text as written, with {@code $n} references still in it; may be empty
 * @param source     where the rule was written ({@code rules[2]} or {@code file:line}), for logs
 * @param fieldName  the only field name {@code pattern} can match, or null ({@link FieldNameGate})
 */
record HeaderRule(List<Condition> conditions, Pattern pattern, boolean negated, Action action, int code,
        String text, String source, String fieldName) {

    HeaderRule(List<Condition> conditions, Pattern pattern, boolean negated, Action action, int code,
            String text, String source) {
        this(conditions, pattern, negated, action, code, text, source, FieldNameGate.requiredName(pattern));
    }

    HeaderRule {
        conditions = List.copyOf(conditions);
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
    }

    /** An enclosing {@code if /pattern/flags} (or {@code if !/pattern/flags}) block. */
    record Condition(Pattern pattern, boolean negated, String fieldName) {
        Condition(Pattern pattern, boolean negated) {
            this(pattern, negated, FieldNameGate.requiredName(pattern));
        }

        boolean holds(String name, String field) {
            boolean found = FieldNameGate.admits(fieldName, pattern, name) && pattern.matcher(field).find();
            return found != negated;
        }
    }

    /** What a rule does when it matches. Postfix names first; Moat's aliases in the parser. */
    enum Action {
        /** Refuse the message permanently (the configured reject reply, or the rule's code). */
        REJECT,
        /** Refuse the message for now (the configured tempfail reply, or the rule's 4NN code). */
        TEMPFAIL,
        /** Answer 250 and deliver nothing; inspection stops. */
        DISCARD,
        /** Keep the message in quarantine (Postfix HOLD); inspection goes on, a later reject still wins. */
        QUARANTINE,
        /** Log a warning and go on. */
        WARN,
        /** Log at info level and go on. */
        INFO,
        /** Remove the matched field (Postfix IGNORE). */
        REMOVE,
        /** Add the field given as text (Postfix PREPEND). */
        ADD,
        /** Replace the matched field by the field given as text. */
        REPLACE,
        /** Stop looking for a rule for this field (Postfix DUNNO and OK). */
        DUNNO,
        /** Stop inspecting the rest of this message (Postfix PASS). */
        PASS;

        boolean editsHeaders() {
            return this == REMOVE || this == ADD || this == REPLACE;
        }
    }

    /**
     * Matches the field against this rule, enclosing conditions included. Returns the matcher of a
     * positive match (for {@code $n}), a matcher that did not match for a negated rule, or null when
     * the rule does not apply.
     *
     * @param name  the field's name
     * @param field the whole unfolded field, {@code name + ": " + value}
     */
    Matcher match(String name, String field) {
        for (Condition condition : conditions) {
            if (!condition.holds(name, field)) {
                return null;
            }
        }
        if (!FieldNameGate.admits(fieldName, pattern, name)) {
            return negated ? pattern.matcher(field) : null; // the pattern cannot match this field
        }
        Matcher m = pattern.matcher(field);
        return m.find() != negated ? m : null;
    }

    /**
     * The action text with {@code $n}, {@code ${n}}, {@code $(n)} replaced by the groups of
     * {@code m} (an unmatched group gives nothing) and {@code $$} by {@code $}.
     */
    String expand(Matcher m) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            Reference ref = Reference.at(text, i);
            if (ref == null) {
                out.append(c);
                continue;
            }
            if (ref.group < 0) {
                out.append('$');
            } else if (!negated && ref.group <= m.groupCount() && m.group(ref.group) != null) {
                out.append(m.group(ref.group));
            }
            i = ref.end - 1;
        }
        return out.toString();
    }

    /** A {@code $} reference in an action text: its group number (-1 for {@code $$}) and where it ends. */
    record Reference(int group, int end) {
        /** The reference starting at {@code text[i] == '$'}, or null if the {@code $} is literal. */
        static Reference at(String text, int i) {
            char next = text.charAt(i + 1);
            if (next == '$') {
                return new Reference(-1, i + 2);
            }
            if (Character.isDigit(next)) {
                int j = i + 1;
                while (j < text.length() && Character.isDigit(text.charAt(j)) && j - i <= 2) {
                    j++;
                }
                return new Reference(Integer.parseInt(text.substring(i + 1, j)), j);
            }
            if (next == '{' || next == '(') {
                char close = next == '{' ? '}' : ')';
                int end = text.indexOf(close, i + 2);
                if (end > i + 2 && text.substring(i + 2, end).chars().allMatch(Character::isDigit) && end - i <= 5) {
                    return new Reference(Integer.parseInt(text.substring(i + 2, end)), end + 1);
                }
            }
            return null;
        }
    }
}
