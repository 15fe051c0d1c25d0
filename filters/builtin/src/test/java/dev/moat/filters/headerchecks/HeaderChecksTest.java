package dev.moat.filters.headerchecks;

import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Header;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.StageOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven tests of header-checks through the test kit: rule syntax, matching, actions, edits. */
class HeaderChecksTest {

    private static final String MESSAGE = "From: a@x.test\nTo: b@y.test\nSubject: Buy VIAGRA now\n"
            + "X-Mailer: BulkMailer 2.0\nX-Spam-Score: 7.5\n\nbody\n";

    @TempDir
    Path dir;

    private static StageOutcome run(Map<String, ?> settings, String message) {
        try (FilterHarness h = FilterHarness.of(new HeaderChecksFactory(), settings)) {
            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            return h.data(message);
        }
    }

    private static StageOutcome run(List<String> rules, String message) {
        return run(Map.of("rules", rules), message);
    }

    // ---------------------------------------------------------------------------------------------
    // Verdicts

    static Stream<Arguments> verdicts() {
        return Stream.of(
                // Postfix semantics: case-insensitive by default; the i flag toggles it off.
                Arguments.of(List.of("/^Subject:.*viagra/ REJECT no pills"), MESSAGE, "reject 550 5.7.1 no pills"),
                Arguments.of(List.of("/^Subject:.*viagra/i REJECT no pills"), MESSAGE, "next"),
                Arguments.of(List.of("/^Subject:.*VIAGRA/i REJECT no pills"), MESSAGE, "reject 550 5.7.1 no pills"),
                // the default reply, an enhanced status in the text, 4NN/5NN actions
                Arguments.of(List.of("/viagra/ REJECT"), MESSAGE, "reject 550 5.7.1 Message content rejected"),
                Arguments.of(List.of("/viagra/ REJECT 5.7.0 go away"), MESSAGE, "reject 550 5.7.0 go away"),
                Arguments.of(List.of("/viagra/ 554 5.7.9 custom"), MESSAGE, "reject 554 5.7.9 custom"),
                Arguments.of(List.of("/viagra/ 554 custom"), MESSAGE, "reject 554 5.7.1 custom"),
                Arguments.of(List.of("/viagra/ DEFER"), MESSAGE, "tempfail 451 4.7.1 Message content deferred, try again later"),
                Arguments.of(List.of("/viagra/ TEMPFAIL later please"), MESSAGE, "tempfail 451 4.7.1 later please"),
                Arguments.of(List.of("/viagra/ 450 4.7.2 not now"), MESSAGE, "tempfail 450 4.7.2 not now"),
                Arguments.of(List.of("/viagra/ DISCARD dropped"), MESSAGE, "discard"),
                Arguments.of(List.of("/viagra/ HOLD looks like spam"), MESSAGE,
                        "quarantine (header-checks rules[0]: looks like spam)"),
                Arguments.of(List.of("/viagra/ QUARANTINE"), MESSAGE, "quarantine (header-checks rules[0])"),
                Arguments.of(List.of("/^Subject: (.*)/ HOLD subject $1 für später"), "Subject: Grüße\n\nx\n",
                        "quarantine (header-checks rules[0]: subject Grüße für später)"),
                Arguments.of(List.of("/viagra/ WARN suspicious"), MESSAGE, "next"),
                Arguments.of(List.of("/viagra/ INFO noted"), MESSAGE, "next"),
                // HOLD does not stop the inspection: a later REJECT still wins (as in Postfix)
                Arguments.of(List.of("/^Subject:/ HOLD first", "/^X-Mailer: Bulk/ REJECT bulk"), MESSAGE,
                        "reject 550 5.7.1 bulk"),
                // first matching rule per field decides: DUNNO shields this field from later rules
                Arguments.of(List.of("/^Subject:/ DUNNO", "/viagra/ REJECT"), MESSAGE, "next"),
                Arguments.of(List.of("/^Subject:/ OK", "/viagra/ REJECT"), MESSAGE, "next"),
                Arguments.of(List.of("/^Subject:/ DUNNO", "/bulk/ REJECT bulk"), MESSAGE, "reject 550 5.7.1 bulk"),
                // PASS ends the inspection of the whole message
                Arguments.of(List.of("/^From:/ PASS", "/viagra/ REJECT"), MESSAGE, "next"),
                // $n substitution, ${n}, $$
                Arguments.of(List.of("/^Subject: (\\S+) (\\S+)/ REJECT no ${2} for $1 $$5"), MESSAGE,
                        "reject 550 5.7.1 no VIAGRA for Buy $5"),
                // POSIX classes, another delimiter
                Arguments.of(List.of("/^X-Spam-Score:[[:space:]]+[[:digit:]]+\\.[[:digit:]]/ REJECT score"), MESSAGE,
                        "reject 550 5.7.1 score"),
                Arguments.of(List.of("|^To: b@y\\.test$| REJECT pipe"), MESSAGE, "reject 550 5.7.1 pipe"),
                // the whole field "Name: value" is matched; anchors work on it
                Arguments.of(List.of("/^VIAGRA/ REJECT"), MESSAGE, "next"),
                Arguments.of(List.of("/now$/ REJECT end"), MESSAGE, "reject 550 5.7.1 end"),
                // negation and if/endif
                Arguments.of(List.of("if /^From:/", "!/@example\\.com$/ REJECT not from us", "endif"), MESSAGE,
                        "reject 550 5.7.1 not from us"),
                Arguments.of(List.of("if /^From:/", "!/@x\\.test$/ REJECT not from us", "endif"), MESSAGE, "next"),
                Arguments.of(List.of("if !/^Subject:/", "/viagra/ REJECT", "endif"), MESSAGE, "next"),
                // folded fields are matched unfolded
                Arguments.of(List.of("/^Subject: hello world viagra$/ REJECT folded"),
                        "Subject: hello\n world\n\tviagra\n\nbody\n", "next"),
                Arguments.of(List.of("/^Subject: hello world\tviagra$/ REJECT folded"),
                        "Subject: hello\n world\n\tviagra\n\nbody\n", "reject 550 5.7.1 folded"),
                // 8-bit header bytes match the same bytes in a pattern
                Arguments.of(List.of("/^Subject: Grüße/ REJECT umlaut"), "Subject: Grüße\n\nbody\n", "reject 550 5.7.1 umlaut"),
                // text taken from the message is made printable ASCII in a reply
                Arguments.of(List.of("/^Subject: (.*)/ REJECT bad: $1"), "Subject: Grüße\n\nbody\n",
                        "reject 550 5.7.1 bad: Gr????e"),
                // body lines are never header fields
                Arguments.of(List.of("/^body/ REJECT"), MESSAGE, "next"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2}")
    @MethodSource("verdicts")
    void verdicts(List<String> rules, String message, String expected) {
        assertEquals(expected, run(rules, message).verdict().toString());
    }

    @Test
    void configuredRepliesAreTheDefaults() {
        Map<String, Object> settings = Map.of("rules", List.of("/viagra/ REJECT", "/^X-Mailer:/ DEFER"),
                "reject-reply", "554 5.7.0 Content refused", "tempfail-reply", "450 4.7.0 Later");
        assertEquals("reject 554 5.7.0 Content refused", run(settings, MESSAGE).verdict().toString());
        Map<String, Object> defer = Map.of("rules", List.of("/^X-Mailer:/ DEFER"), "tempfail-reply", "450 4.7.0 Later");
        assertEquals("tempfail 450 4.7.0 Later", run(defer, MESSAGE).verdict().toString());
    }

    // ---------------------------------------------------------------------------------------------
    // Header edits

    @Test
    void ignoreRemovesTheMatchedField() {
        StageOutcome out = run(List.of("/^X-Spam-Score:/ IGNORE"), MESSAGE);
        assertNext(out.verdict());
        assertEquals(Set.of("x-spam-score"), out.removedHeaders());
        assertEquals(List.of(), out.addedHeaders());
    }

    @Test
    void prependAddsAField() {
        StageOutcome out = run(List.of("/^Subject:.*viagra/ PREPEND X-Promo: yes"), MESSAGE);
        assertNext(out.verdict());
        assertEquals(List.of(new Header("X-Promo", "yes")), out.addedHeaders());
        assertEquals(Set.of(), out.removedHeaders());
    }

    @Test
    void replaceWithCaptureGroupsIsVisibleByteExactInTheDeliveredMessage() {
        try (FilterHarness h = FilterHarness.of(new HeaderChecksFactory(),
                Map.of("rules", List.of("/^Subject: \\[SPAM\\] (.*)$/ REPLACE Subject: $1", "/^X-Old: (.*)/ REPLACE X-New: <$1>")))) {
            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            StageOutcome out = h.data("From: a@x.test\nSubject: [SPAM] Grüße aus Köln\nX-Old: 1\n\nbody\n");
            assertNext(out.verdict());
            assertEquals(Set.of("subject", "x-old"), out.removedHeaders());
            String delivered = new String(h.deliveredMessage(), StandardCharsets.UTF_8);
            assertEquals("Subject: Grüße aus Köln\r\nX-New: <1>\r\nFrom: a@x.test\r\n\r\nbody\r\n", delivered);
        }
    }

    @Test
    void editsAreDroppedWhenALaterRuleRejects() {
        StageOutcome out = run(List.of("/^From:/ PREPEND X-Seen: yes", "/viagra/ REJECT"), MESSAGE);
        assertEquals("reject 550 5.7.1 Message content rejected", out.verdict().toString());
        assertEquals(List.of(), out.addedHeaders());
    }

    // ---------------------------------------------------------------------------------------------
    // Rule files (Postfix regexp: table syntax)

    @Test
    void postfixTableFileWithCommentsContinuationsAndConditions() throws Exception {
        Path table = dir.resolve("header_checks");
        Files.write(table, List.of(
                "# header checks for example.com",
                "",
                "/^Subject:.*make money/      REJECT",
                "    no spam please",
                "  # an indented comment",
                "/^X-Mailer: BulkMailer/      HOLD bulk mailer",
                "if /^Received:/",
                "/from unknown/               WARN unknown sender host",
                "/from evil\\.test/            DISCARD",
                "endif",
                "/^X-Spam-Flag: YES/          DISCARD",
                "/^Subject: evil.test/        DUNNO"), StandardCharsets.ISO_8859_1);
        Map<String, Object> settings = Map.of("rules-file", table.toString());
        assertEquals("reject 550 5.7.1 no spam please",
                run(settings, "Subject: make money fast\n\nx\n").verdict().toString());
        assertEquals("quarantine (header-checks " + table + ":6: bulk mailer)",
                run(settings, MESSAGE).verdict().toString());
        assertEquals("discard", run(settings, "Received: from evil.test\n\nx\n").verdict().toString());
        assertEquals("next", run(settings, "Subject: from evil.test\n\nx\n").verdict().toString());
        assertEquals("discard", run(settings, "X-Spam-Flag: YES\n\nx\n").verdict().toString());
        assertEquals("next", run(settings, "Received: from unknown\n\nx\n").verdict().toString());
    }

    @Test
    void inlineRulesComeBeforeFileRules() throws Exception {
        Path table = dir.resolve("t");
        Files.writeString(table, "/viagra/ REJECT from the file\n");
        Map<String, Object> settings = Map.of("rules", List.of("/viagra/ REJECT inline"), "rules-file", table.toString());
        assertEquals("reject 550 5.7.1 inline", run(settings, MESSAGE).verdict().toString());
        Map<String, Object> twoFiles = Map.of("rules-file", List.of(table.toString(), table.toString()));
        assertEquals("reject 550 5.7.1 from the file", run(twoFiles, MESSAGE).verdict().toString());
    }

    // ---------------------------------------------------------------------------------------------
    // Bad settings

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(Map.of(), "rules", "no rules"),
                Arguments.of(Map.of("rules", List.of("/abc REJECT")), "rules", "rules[0]: pattern has no closing '/'"),
                Arguments.of(Map.of("rules", List.of("/abc/q REJECT")), "rules", "unknown pattern flag 'q'"),
                Arguments.of(Map.of("rules", List.of("/a/ DUNNO", "/abc/ REDIRECT x@y.test")), "rules",
                        "rules[1]: action 'REDIRECT' is not supported"),
                Arguments.of(Map.of("rules", List.of("/abc/")), "rules", "no action"),
                Arguments.of(Map.of("rules", List.of("/a(b/ REJECT")), "rules", "bad pattern"),
                Arguments.of(Map.of("rules", List.of("/abc/ REJECT $1")), "rules", "$1 refers to a group"),
                Arguments.of(Map.of("rules", List.of("!/(abc)/ REJECT $1")), "rules", "negated pattern"),
                Arguments.of(Map.of("rules", List.of("/abc/ PREPEND nocolon")), "rules", "PREPEND needs a header field"),
                Arguments.of(Map.of("rules", List.of("/abc/ REPLACE")), "rules", "REPLACE needs a header field"),
                Arguments.of(Map.of("rules", List.of("/abc/ REJECT grüß")), "rules", "printable ASCII"),
                Arguments.of(Map.of("rules", List.of("endif")), "rules", "'endif' without a matching 'if'"),
                Arguments.of(Map.of("rules", List.of("if /x/", "/y/ REJECT")), "rules", "'if' without a matching 'endif'"),
                Arguments.of(Map.of("rules", List.of("if /x/ REJECT")), "rules", "'if' takes only a pattern"),
                Arguments.of(Map.of("rules", List.of("subject REJECT")), "rules", "expected /pattern/"),
                Arguments.of(Map.of("rules", List.of(Map.of("pattern", "/x/", "action", "reject"))), "rules",
                        "give a list of strings"),
                Arguments.of(Map.of("rules-file", "/nonexistent/header_checks"), "rules-file", "cannot read"),
                Arguments.of(Map.of("rules", List.of("/x/ REJECT"), "reject-reply", "450 4.7.1 x"), "reject-reply",
                        "must be 5xx"),
                Arguments.of(Map.of("rules", List.of("/x/ REJECT"), "tempfail-reply", "550 5.7.1 x"), "tempfail-reply",
                        "must be 4xx"),
                Arguments.of(Map.of("rules", List.of("/x/ REJECT"), "reject-reply", "550 4.7.1 x"), "reject-reply",
                        "does not match code"),
                Arguments.of(Map.of("rules", List.of("/x/ REJECT"), "reject-reply", "nonsense"), "reject-reply",
                        "is not a reply"),
                Arguments.of(Map.of("rules", List.of("/x/ REJECT"), "mime-part-limit", "0"), "mime-part-limit", "1 to 100000"),
                Arguments.of(Map.of("rules", List.of("/x/ REJECT"), "pattern", "x"), "pattern", "unknown setting"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badSettings")
    void badSettingsAreRefusedNamingTheKey(Map<String, Object> settings, String key, String reason) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new HeaderChecksFactory(), settings));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void fileErrorsNameTheLine() throws Exception {
        Path table = dir.resolve("bad");
        Files.writeString(table, "# ok\n/a/ REJECT\n/b/ FILTER smtp:[127.0.0.1]:10025\n");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new HeaderChecksFactory(), Map.of("rules-file", table.toString())));
        assertEquals("rules-file", e.key());
        assertTrue(e.getMessage().contains(table + ":3: action 'FILTER' is not supported"), e.getMessage());
        Files.writeString(table, "  /a/ REJECT\n");
        e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new HeaderChecksFactory(), Map.of("rules-file", table.toString())));
        assertTrue(e.getMessage().contains(table + ":1: a line starting with white space continues a rule"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------
    // MIME part headers

    private static final String MULTIPART = String.join("\n",
            "From: a@x.test",
            "Subject: report",
            "Content-Type: multipart/mixed; boundary=\"outer\"",
            "",
            "preamble",
            "--outer",
            "Content-Type: text/plain",
            "",
            "--not-a-boundary",
            "--outer",
            "Content-Type: application/octet-stream;",
            "\tname=\"invoice.pdf.exe\"",
            "Content-Disposition: attachment; filename=\"invoice.pdf.exe\"",
            "",
            "AAAA",
            "--outer",
            "Content-Type: message/rfc822",
            "",
            "From: c@z.test",
            "Subject: inner viagra",
            "Content-Type: multipart/alternative; boundary=inner",
            "",
            "--inner",
            "Content-Type: text/html",
            "X-Deep: yes",
            "",
            "<p>hi</p>",
            "--inner--",
            "--outer--",
            "epilogue",
            "");

    @Test
    void partHeadersAreCheckedOnlyWhenAskedFor() {
        List<String> rules = List.of("/^Content-Type:.*name=\"[^\"]*\\.exe\"/ REJECT 5.7.1 executable attached");
        assertEquals("next", run(Map.of("rules", rules), MULTIPART).verdict().toString());
        assertEquals("reject 550 5.7.1 executable attached",
                run(Map.of("rules", rules, "mime-part-headers", true), MULTIPART).verdict().toString());
        // headers of an attached message (nested_header_checks) and of its parts
        assertEquals("reject 550 5.7.1 Message content rejected",
                run(Map.of("rules", List.of("/^Subject: inner viagra/ REJECT"), "mime-part-headers", true), MULTIPART)
                        .verdict().toString());
        assertEquals("discard",
                run(Map.of("rules", List.of("/^X-Deep: yes/ DISCARD"), "mime-part-headers", true), MULTIPART)
                        .verdict().toString());
    }

    @Test
    void partHeaderEditsAreSkipped() {
        StageOutcome out = run(Map.of("rules", List.of("/^Content-Disposition:/ IGNORE"), "mime-part-headers", true), MULTIPART);
        assertNext(out.verdict());
        assertEquals(Set.of(), out.removedHeaders());
    }

    @Test
    void scannerFollowsBoundariesAndStopsAtItsLimit() throws Exception {
        List<String> seen = new ArrayList<>();
        int blocks = PartHeaderScanner.scan(new java.io.ByteArrayInputStream(MULTIPART.replace("\n", "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)), 100, (n, v) -> seen.add(n + ": " + v));
        assertEquals(5, blocks);
        assertEquals(List.of("Content-Type: text/plain",
                "Content-Type: application/octet-stream;\tname=\"invoice.pdf.exe\"",
                "Content-Disposition: attachment; filename=\"invoice.pdf.exe\"",
                "Content-Type: message/rfc822",
                "From: c@z.test", "Subject: inner viagra", "Content-Type: multipart/alternative; boundary=inner",
                "Content-Type: text/html", "X-Deep: yes"), seen);
        seen.clear();
        assertEquals(2, PartHeaderScanner.scan(new java.io.ByteArrayInputStream(MULTIPART.getBytes(StandardCharsets.ISO_8859_1)),
                2, (n, v) -> seen.add(n)));
        assertEquals(List.of("Content-Type", "Content-Type", "Content-Disposition"), seen);
    }

    @Test
    void manyPartsAreScannedWithinTheLimit() {
        StringBuilder m = new StringBuilder("Content-Type: multipart/mixed; boundary=b\n\n");
        for (int i = 0; i < 3000; i++) {
            m.append("--b\nX-Part: ").append(i).append("\n\nx\n");
        }
        m.append("--b--\n");
        Map<String, Object> settings = new HashMap<>(Map.of("rules", List.of("/^X-Part: 2500$/ REJECT found"),
                "mime-part-headers", true));
        assertEquals("next", run(settings, m.toString()).verdict().toString());
        settings.put("mime-part-limit", 3000);
        assertEquals("reject 550 5.7.1 found", run(settings, m.toString()).verdict().toString());
    }

    @Test
    void mimeBombsAreScannedWithinBoundedTime() {
        StringBuilder deep = new StringBuilder("Subject: deep\n");
        for (int i = 0; i < 200; i++) {
            deep.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\nX-Level: ").append(i)
                    .append("\n\n--b").append(i).append("\n");
        }
        deep.append("Content-Type: text/plain\n\nbottom\n");
        StringBuilder wide = new StringBuilder("Content-Type: multipart/mixed; boundary=w\n\n");
        for (int i = 0; i < 10_000; i++) {
            wide.append("--w\nX-Part: ").append(i).append("\n\nx\n");
        }
        Map<String, Object> settings = Map.of("rules", List.of("/^X-Level: 60$/ REJECT level 60", "/^X-Part: 999$/ REJECT part 999"),
                "mime-part-headers", true);
        long start = System.nanoTime();
        assertEquals("reject 550 5.7.1 level 60", run(settings, deep.toString()).verdict().toString());
        assertEquals("reject 550 5.7.1 part 999", run(settings, wide.toString()).verdict().toString());
        assertEquals("next", run(Map.of("rules", List.of("/^X-Part: 5000$/ REJECT"), "mime-part-headers", true),
                wide.toString()).verdict().toString(), "beyond mime-part-limit");
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }

    @Test
    void aMessageWithoutHeaderIsFine() {
        assertFalse(run(List.of("/x/ REJECT"), "\nbody only\n").refused());
    }

    // ---------------------------------------------------------------------------------------------
    // Metrics

    @Test
    void everyRuleMatchIsCountedByAction() {
        List<String> rules = List.of(
                "/^X-Mailer: Bulk/ WARN bulk mailer",
                "/^X-Spam-Score: [5-9]/ WARN high score",
                "/^From:/ INFO from seen",
                "/^To:/ DUNNO",
                "/^Subject:.*viagra/ HOLD pills");
        try (FilterHarness h = FilterHarness.of(new HeaderChecksFactory(), Map.of("rules", rules))) {
            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            assertEquals("quarantine (header-checks rules[4]: pills)", h.data(MESSAGE).verdict().toString());
            assertEquals(2.0, h.counter("header.checks.matches", "action", "warn"));
            assertEquals(1.0, h.counter("header.checks.matches", "action", "info"));
            assertEquals(1.0, h.counter("header.checks.matches", "action", "dunno"));
            assertEquals(1.0, h.counter("header.checks.matches", "action", "quarantine"));
            assertEquals(0.0, h.counter("header.checks.matches", "action", "reject"));

            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            assertEquals("next", h.data("Subject: hello\nX-Mailer: BulkMailer 3\n\nbody\n").verdict().toString());
            assertEquals(3.0, h.counter("header.checks.matches", "action", "warn"));
        }
    }

    @Test
    void aRefusalIsCountedOnceAndEndsTheCounting() {
        List<String> rules = List.of("/^From:/ WARN first", "/^To:/ 554 5.7.9 no", "/^Subject:/ WARN never reached");
        try (FilterHarness h = FilterHarness.of(new HeaderChecksFactory(), Map.of("rules", rules, "name", "hc"))) {
            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            assertEquals("reject 554 5.7.9 no", h.data(MESSAGE).verdict().toString());
            assertEquals(1.0, h.counter("header.checks.matches", "action", "reject", "filter", "hc",
                    "type", "header-checks"));
            assertEquals(1.0, h.counter("header.checks.matches", "action", "warn"));
        }
    }

    @Test
    void matchesInMimePartHeadersAreCountedToo() {
        String message = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nX-Inner: odd\n\nx\n--b--\n";
        try (FilterHarness h = FilterHarness.of(new HeaderChecksFactory(),
                Map.of("rules", List.of("/^X-Inner:/ WARN inner", "/^X-Inner:/ REJECT"), "mime-part-headers", true))) {
            h.mailFrom("a@x.test");
            h.rcptTo("b@y.test");
            assertEquals("next", h.data(message).verdict().toString());
            assertEquals(1.0, h.counter("header.checks.matches", "action", "warn"));
            assertEquals(0.0, h.counter("header.checks.matches", "action", "reject"));
        }
    }
}
