package dev.moat.filters.addressrewrite;

import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Address;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.StageOutcome;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven unit tests of address-rewrite through the test kit. */
class AddressRewriteTest {

    private static final List<String> RULES = List.of(
            "old@x.test new@y.test scope=both",
            "@x.test @second.test",
            "@old.test @new.test scope=both",
            "/(.+)\\.(.+)@regex\\.test/ $2.$1@y.test",
            "/(?<user>[a-z]+)\\+[^@]*@plus\\.test/ ${1}@plus.test",
            "@catch.test all@y.test",
            "@sender-only.test @s.test scope=both applies-to=sender",
            "@rcpt-only.test @r.test scope=both applies-to=recipients",
            "@hdr-only.test @h.test scope=headers",
            "@a.test @b.test",
            "@b.test @c.test",
            "/(.*)@bad\\.test/ $1");

    private static Map<String, Object> settings() {
        Map<String, Object> s = new HashMap<>();
        s.put("rules", RULES);
        return s;
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # side      | address                     | expected
            sender      | old@x.test                  | new@y.test
            recipient   | old@x.test                  | new@y.test
            recipient   | OLD@X.Test                  | new@y.test
            recipient   | other@x.test                | other@second.test
            recipient   | someone@old.test            | someone@new.test
            sender      | Mixed.Case@OLD.test         | Mixed.Case@new.test
            recipient   | someone@sub.old.test        | someone@sub.old.test
            recipient   | john.smith@regex.test       | smith.john@y.test
            recipient   | JOHN.SMITH@REGEX.TEST       | SMITH.JOHN@y.test
            recipient   | single@regex.test           | single@regex.test
            recipient   | ann+news@plus.test          | ann@plus.test
            recipient   | whoever@catch.test          | all@y.test
            sender      | me@sender-only.test         | me@s.test
            recipient   | me@sender-only.test         | me@sender-only.test
            sender      | me@rcpt-only.test           | me@rcpt-only.test
            recipient   | me@rcpt-only.test           | me@r.test
            sender      | me@hdr-only.test            | me@hdr-only.test
            recipient   | me@hdr-only.test            | me@hdr-only.test
            recipient   | me@a.test                   | me@b.test
            recipient   | me@b.test                   | me@c.test
            recipient   | user@bad.test               | user@bad.test
            recipient   | unrelated@other.test        | unrelated@other.test
            """)
    void rewritesTheEnvelope(String side, String address, String expected) {
        try (FilterHarness h = FilterHarness.of(new AddressRewriteFactory(), settings())) {
            if (side.equals("sender")) {
                StageOutcome o = h.mailFrom(address);
                assertNext(o.verdict());
                assertEquals(Optional.of(expected), o.envelope().sender().map(Address::toString));
            } else {
                h.mailFrom("sender@elsewhere.test");
                StageOutcome o = h.rcptTo(address);
                assertNext(o.verdict());
                assertEquals(List.of(expected), o.envelope().recipients().stream().map(Address::toString).toList());
            }
        }
    }

    @Test
    void theNullSenderStaysNull() {
        try (FilterHarness h = FilterHarness.of(new AddressRewriteFactory(), Map.of("rules", List.of("/.*/ x@y.test")))) {
            assertEquals(Optional.empty(), h.mailFrom("<>").envelope().sender());
            assertEquals("x@y.test", h.rcptTo("a@b.test").envelope().recipients().get(0).toString());
        }
    }

    @Test
    void headersKeepDisplayNamesEncodedWordsCommentsAndEverythingElse() {
        String message = ""
                + "Received: from relay.test by mx.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                + "From: \"Old, Person\" <old@x.test>\r\n"
                + "To: =?UTF-8?B?SsO2cmc=?= <someone@old.test>, plain@old.test (a comment)\r\n"
                + "Cc: undisclosed-recipients:;\r\n"
                + "Subject: old@x.test stays in the subject\r\n"
                + "Reply-To: <@route.test:reply@old.test>\r\n"
                + "X-Other: old@x.test\r\n"
                + "\r\n"
                + "body old@x.test\r\n"
                + "From: old@x.test is body text\r\n";
        String expected = ""
                + "From: \"Old, Person\" <new@y.test>\r\n"
                + "To: =?UTF-8?B?SsO2cmc=?= <someone@new.test>, plain@new.test (a comment)\r\n"
                + "Reply-To: <@route.test:reply@new.test>\r\n"
                + "Received: from relay.test by mx.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                + "Cc: undisclosed-recipients:;\r\n"
                + "Subject: old@x.test stays in the subject\r\n"
                + "X-Other: old@x.test\r\n"
                + "\r\n"
                + "body old@x.test\r\n"
                + "From: old@x.test is body text\r\n";
        assertEquals(expected, deliver(settings(), message));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # field  | body before                                                   | body after
            To       | someone@old.test                                              | someone@new.test
            To       | <someone@old.test>                                            | <someone@new.test>
            To       | Some One <someone@old.test>                                   | Some One <someone@new.test>
            To       | "someone@old.test" <someone@old.test>                         | "someone@old.test" <someone@new.test>
            To       | someone@old.test <someone@old.test>                           | someone@old.test <someone@new.test>
            To       | (c) someone@old.test (d)                                      | (c) someone@new.test (d)
            To       | Team: a@old.test, B <b@old.test>; , c@old.test                | Team: a@new.test, B <b@new.test>; , c@new.test
            To       | "Doe, John" <j@old.test>,"x" <k@other.test>                   | "Doe, John" <j@new.test>,"x" <k@other.test>
            To       | =?ISO-8859-1?Q?Andr=E9?= <a@old.test>                         | =?ISO-8859-1?Q?Andr=E9?= <a@new.test>
            To       | "=?UTF-8?Q?quoted_word?=" <a@old.test>                        | "=?UTF-8?Q?quoted_word?=" <a@new.test>
            To       | <  a@old.test  >                                              | <  a@new.test  >
            To       | "a \\"quoted\\" name" <a@old.test>                            | "a \\"quoted\\" name" <a@new.test>
            To       | a@[192.0.2.1], b@old.test                                     | a@[192.0.2.1], b@new.test
            To       | "with space"@old.test                                         | "with space"@new.test
            To       | john (comment) @old.test                                      | john (comment) @old.test
            To       | "unterminated <a@old.test>                                    | "unterminated <a@old.test>
            To       | a@old.test>                                                   | a@old.test>
            To       | <a@old.test                                                   | <a@old.test
            To       | (unclosed a@old.test                                          | (unclosed a@old.test
            To       | A <a@old.test> <b@old.test>, c@old.test                       | A <a@old.test> <b@old.test>, c@new.test
            To       | me@sender-only.test, me@rcpt-only.test                        | me@sender-only.test, me@r.test
            From     | me@sender-only.test, me@rcpt-only.test                        | me@s.test, me@rcpt-only.test
            From     | me@hdr-only.test                                              | me@h.test
            From     | <>                                                            | <>
            From     | me@a.test                                                     | me@a.test
            """)
    void rewritesAddrSpecsOnly(String field, String before, String after) {
        String message = "Subject: s\r\n" + field + ": " + before + "\r\n\r\nbody\r\n";
        String expected = before.equals(after)
                ? message
                : field + ": " + after + "\r\nSubject: s\r\n\r\nbody\r\n";
        assertEquals(expected, deliver(settings(), message));
    }

    @Test
    void aFieldWithEightBitCharactersIsLeftAlone() {
        byte[] message = ("From: Jörg <old@x.test>\r\nTo: Zoë <z@old.test>\r\nCc: c@old.test\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.UTF_8);
        try (FilterHarness h = FilterHarness.of(new AddressRewriteFactory(), settings())) {
            h.mailFrom("a@b.test");
            h.rcptTo("c@d.test");
            h.data(message);
            byte[] expected = ("Cc: c@new.test\r\nFrom: Jörg <old@x.test>\r\nTo: Zoë <z@old.test>\r\n\r\nbody\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(expected, h.deliveredMessage());
        }
    }

    @Test
    void severalFieldsOfOneNameAreAllKeptInTheirOrder() {
        String message = "To: a@old.test\r\nSubject: s\r\nTo: b@other.test\r\nTo: c@old.test\r\n\r\nbody\r\n";
        assertEquals("To: a@new.test\r\nTo: b@other.test\r\nTo: c@new.test\r\nSubject: s\r\n\r\nbody\r\n", deliver(settings(), message));
    }

    @Test
    void foldedFieldsAreReadUnfoldedAndLongResultsRefoldedAtSpaces() {
        String message = "To: First Person <first@old.test>,\r\n Second Person <second@old.test>,\r\n\tThird Person <third@old.test>\r\n"
                + "\r\nbody\r\n";
        String delivered = deliver(settings(), message);
        String header = delivered.substring(0, delivered.indexOf("\r\n\r\n") + 2);
        assertEquals("To: First Person <first@new.test>, Second Person <second@new.test>,\tThird Person <third@new.test>",
                header.replace("\r\n", "").replaceAll("\r\n", ""));
        for (String line : header.split("\r\n")) {
            assertTrue(line.length() <= 78, line);
        }
        assertTrue(delivered.endsWith("\r\n\r\nbody\r\n"));
    }

    @Test
    void onlyTheConfiguredFieldsAreRewritten() {
        Map<String, Object> s = settings();
        s.put("headers", List.of("Resent-To", "X-Original-To"));
        String message = "From: old@x.test\r\nTo: a@old.test\r\nResent-To: r@old.test\r\nX-Original-To: o@old.test\r\n\r\nbody\r\n";
        assertEquals("Resent-To: r@new.test\r\nX-Original-To: o@new.test\r\nFrom: old@x.test\r\nTo: a@old.test\r\n\r\nbody\r\n",
                deliver(s, message));
    }

    @Test
    void envelopeOnlyRulesLeaveTheMessageUntouched() {
        Map<String, Object> s = Map.of("rules", List.of("@old.test @new.test"));
        String message = "From: a@old.test\r\nTo: b@old.test\r\n\r\nbody\r\n";
        try (FilterHarness h = FilterHarness.of(new AddressRewriteFactory(), s)) {
            assertEquals("a@new.test", h.mailFrom("a@old.test").envelope().sender().orElseThrow().toString());
            assertEquals("b@new.test", h.rcptTo("b@old.test").envelope().recipients().get(0).toString());
            StageOutcome o = h.data(message);
            assertEquals(List.of(), o.addedHeaders());
            assertEquals(message, h.deliveredMessageText());
        }
    }

    @Test
    void headerOnlyRulesLeaveTheEnvelopeUntouched() {
        Map<String, Object> s = Map.of("rules", List.of("@old.test @new.test scope=headers"));
        try (FilterHarness h = FilterHarness.of(new AddressRewriteFactory(), s)) {
            assertEquals("a@old.test", h.mailFrom("a@old.test").envelope().sender().orElseThrow().toString());
            assertEquals("b@old.test", h.rcptTo("b@old.test").envelope().recipients().get(0).toString());
            h.data("From: a@old.test\r\n\r\nbody\r\n");
            assertEquals("From: a@new.test\r\n\r\nbody\r\n", h.deliveredMessageText());
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            rules   | -                                | is required
            rules   | old@x.test                       | has no replacement
            rules   | old@x.test scope=both            | has no replacement
            rules   | /(unclosed/ a@b.test             | not a valid regular expression
            rules   | /no-closing-slash a@b.test       | no closing '/'
            rules   | /(a)@b/ $2@c.test                | uses group 2 but the regular expression has 1 group
            rules   | /(a)@b/ $1new.test               | has no '@'
            rules   | /(a)@b/ $x@c.test                | must be followed by a group number
            rules   | /(a)@b/ $1@c.test$               | ends with '$'
            rules   | old@x.test new                   | is not an address or @domain
            rules   | old new@y.test                   | is not an address, @domain or /regex/
            rules   | @bad_domain new@y.test           | is not @domain, an address or /regex/
            rules   | @x.test @y.test scope=everywhere | scope must be envelope, headers or both
            rules   | @x.test @y.test applies-to=all   | applies-to must be sender, recipients or both
            rules   | @x.test @y.test scope=both scope=headers | gives scope twice
            rules   | @x.test @y.test colour=blue      | unknown option
            headers | Bad Name                         | is not a header field name
            """)
    void badSettingsFailStartUpNamingTheKey(String key, String value, String reason) {
        Map<String, Object> s = settings();
        if (value.equals("-")) {
            s.remove(key);
        } else {
            s.put(key, List.of(value));
        }
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> FilterHarness.of(new AddressRewriteFactory(), s));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void rulesAsMapsAreExplainedUntilTheSpiCanReadThem() {
        Map<String, Object> s = Map.of("rules", List.of(Map.of("match", "@x.test", "replace", "@y.test")));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> FilterHarness.of(new AddressRewriteFactory(), s));
        assertEquals("rules", e.key());
        assertTrue(e.getMessage().contains("each rule is one string"), e.getMessage());
    }

    @Test
    void anEmptyHeaderListIsRefused() {
        Map<String, Object> s = settings();
        s.put("headers", List.of());
        assertEquals("headers", assertThrows(InvalidSettingException.class, () -> FilterHarness.of(new AddressRewriteFactory(), s)).key());
    }

    /** The example of docs/filters/address-rewrite.md. */
    @Test
    void docExample() {
        Map<String, Object> s = Map.of(
                "rules", List.of(
                        "@old-name.example @example.com scope=both",
                        "j.doe@example.com john.doe@example.com",
                        "/([a-z]+)\\.([a-z]+)@legacy\\.example/ $1.$2@example.com scope=both applies-to=sender"),
                "headers", List.of("From", "To", "Cc", "Reply-To", "Resent-From"));
        try (FilterHarness h = FilterHarness.of(new AddressRewriteFactory(), s)) {
            assertEquals("ann@example.com", h.mailFrom("ann@old-name.example").envelope().sender().orElseThrow().toString());
            assertEquals("john.doe@example.com", h.rcptTo("j.doe@example.com").envelope().recipients().get(0).toString());
            h.data("To: \"Doe, J.\" <j.doe@example.com>\r\n"
                    + "From: =?UTF-8?Q?Ann_=C3=96rn?= <ann@old-name.example>\r\n"
                    + "Subject: hello\r\n\r\nbody\r\n");
            assertEquals("From: =?UTF-8?Q?Ann_=C3=96rn?= <ann@example.com>\r\n"
                    + "To: \"Doe, J.\" <j.doe@example.com>\r\n"
                    + "Subject: hello\r\n\r\nbody\r\n", h.deliveredMessageText());
            h.mailFrom("mary.major@legacy.example");
            assertEquals("mary.major@example.com", h.envelope().sender().orElseThrow().toString());
        }
    }

    private static String deliver(Map<String, Object> settings, String message) {
        try (FilterHarness h = FilterHarness.of(new AddressRewriteFactory(), settings)) {
            h.mailFrom("sender@elsewhere.test");
            h.rcptTo("rcpt@elsewhere.test");
            assertNext(h.data(message.getBytes(StandardCharsets.ISO_8859_1)).verdict());
            return new String(h.deliveredMessage(), StandardCharsets.ISO_8859_1);
        }
    }
}
