package dev.moat.filters.headerchecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gate may only skip the regex where the regex could not have matched: for every pattern below and
 * every field, a rule gives the same answer as the plain {@code find()}, negated rules included.
 */
class FieldNameGateTest {

    private static final List<String> PATTERNS = List.of(
            "^Subject:", "^subject:.*viagra", "^Subject:?", "^Subject:*x", "^Subject:+", "^Subject:{0,1}",
            "^Subject:|^From:", "^(Subject|From):", "^X-Spam-Flag:\\s*YES", "^X\\-Spam:", "Subject:",
            "^Subj", "^Content-(Type|Disposition):", "(?-i)^Subject:", "^Message-ID:\\s*$", "^[a-z]+:",
            "^Subject:[|]", "^Subject:(a|b)", "^To:\\Q|\\E", "^Subject: =\\?koi8-r\\?");
    private static final List<String> FIELDS = List.of(
            "Subject: viagra", "subject: hello", "SUBJECT: x", "Subject-Line: x", "From: a@b", "To: |",
            "X-Spam-Flag: YES", "X-Spam: 1", "Message-ID: ", "Subject: =?koi8-r?B?x?=", "Subject: a",
            "Subject: b", "Subjects: viagra", "Content-Type: text/plain", "Content-Disposition: inline");

    @Test
    void aGatedRuleAnswersAsTheRegexAloneForEveryPatternFlagAndField() {
        for (String regex : PATTERNS) {
            for (int flags : new int[] {Pattern.CASE_INSENSITIVE, 0, Pattern.CASE_INSENSITIVE | Pattern.MULTILINE}) {
                Pattern p = Pattern.compile(regex, flags);
                for (boolean negated : new boolean[] {false, true}) {
                    HeaderRule rule = new HeaderRule(List.of(), p, negated, HeaderRule.Action.WARN, 0, "", "test");
                    HeaderRule inside = new HeaderRule(List.of(new HeaderRule.Condition(p, negated)),
                            Pattern.compile(""), false, HeaderRule.Action.WARN, 0, "", "test");
                    for (String field : FIELDS) {
                        String name = field.substring(0, field.indexOf(':'));
                        boolean expected = p.matcher(field).find() != negated;
                        String what = "/" + regex + "/ flags " + flags + (negated ? " negated" : "") + " on '" + field + "'";
                        assertEquals(expected, rule.match(name, field) != null, what);
                        assertEquals(expected, inside.match(name, field) != null, "if " + what);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "^Subject:, Subject",
        "^X-Spam-Flag:\\s*YES, X-Spam-Flag",
        "'^Subject:.*\\b(viagra|cialis)\\b', Subject",
        "^Subject:[|], Subject",
    })
    void derivesTheNameOfAPlainlyAnchoredPattern(String regex, String name) {
        assertEquals(name, FieldNameGate.requiredName(Pattern.compile(regex, Pattern.CASE_INSENSITIVE)));
    }

    @ParameterizedTest
    @CsvSource({"^Subject:?", "'^Subject:|^From:'", "^(Subject):", "Subject:", "^X\\-Spam:", "(?i)^Subject:", "^:"})
    void givesNoNameWhenItIsNotPlain(String regex) {
        assertNull(FieldNameGate.requiredName(Pattern.compile(regex)));
    }

    @Test
    void givesNoNameInMultiLineOrCommentsMode() {
        assertNull(FieldNameGate.requiredName(Pattern.compile("^Subject:", Pattern.MULTILINE)));
        assertNull(FieldNameGate.requiredName(Pattern.compile("^Subject:", Pattern.COMMENTS)));
    }
}
