package dev.moat.examples.subjecttag;

import static dev.moat.filter.testkit.VerdictAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Header;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.SettingsAssertions;
import dev.moat.filter.testkit.StageOutcome;
import dev.moat.filter.testkit.TestEnvelope;
import dev.moat.filter.testkit.TestMessage;
import dev.moat.filter.testkit.TestSession;
import dev.moat.filter.testkit.TransactionOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubjectTagFilterTest {

    private static FilterHarness harness(Map<String, ?> settings) {
        return FilterHarness.of(new SubjectTagFactory(), settings);
    }

    @Test
    void tagsTheSubjectOfMailFromOutside() {
        try (FilterHarness h = harness(Map.of())) {
            TransactionOutcome out = h.send(TestEnvelope.of("alice@example.org", "bob@example.com"),
                    TestMessage.builder().from("alice@example.org").subject("Invoice 42").body("see attachment").build());
            assertThat(out.finalVerdict()).isNext();
            assertEquals("Subject: [EXTERNAL] Invoice 42\r\nFrom: alice@example.org\r\n\r\nsee attachment\r\n",
                    h.deliveredMessageText());
            assertEquals(1.0, h.counter("tagged"));
        }
    }

    @Test
    void aRealMessageKeepsItsEncodedWordsAndItsBodyByteForByte() {
        byte[] message = TestMessage.resource(SubjectTagFilterTest.class, "newsletter.eml");
        try (FilterHarness h = harness(Map.of("tag", "[EXT]", "add-header", true))) {
            h.send(TestEnvelope.of("news@shop.example", "bob@example.com"), message);
            String delivered = h.deliveredMessageText();
            // Added fields come first, in the order the filter added them; the original Subject is gone.
            assertTrue(delivered.startsWith("Subject: [EXT] =?UTF-8?Q?Gro=C3=9Fe_Auswahl?= this week\r\nX-Subject-Tag: added\r\n"
                    + "Return-Path: <news@shop.example>\r\n"), delivered);
            assertEquals(1, delivered.split("\r\nSubject:", -1).length - 1 + (delivered.startsWith("Subject:") ? 1 : 0));
            String original = new String(message, java.nio.charset.StandardCharsets.UTF_8);
            String body = original.substring(original.indexOf("\r\n\r\n"));
            assertTrue(delivered.endsWith(body), delivered);
        }
    }

    @Test
    void aMessageAlreadyTaggedIsLeftAlone() {
        try (FilterHarness h = harness(Map.of())) {
            h.mailFrom("alice@example.org");
            h.rcptTo("bob@example.com");
            StageOutcome out = h.data("Subject: Re: [EXTERNAL] Invoice 42\n\nthanks\n");
            assertThat(out.verdict()).isNext();
            assertEquals(List.of(), out.addedHeaders());
            assertEquals(1.0, h.counter("skipped", "reason", "already-tagged"));
        }
    }

    @Test
    void aMessageWithoutSubjectGetsTheTagAsItsSubject() {
        try (FilterHarness h = harness(Map.of())) {
            h.mailFrom("alice@example.org");
            h.rcptTo("bob@example.com");
            assertEquals(List.of(new Header("Subject", "[EXTERNAL]")), h.data("From: alice@example.org\n\nhi\n").addedHeaders());
        }
    }

    @Test
    void authenticatedUsersAreNotTaggedUnlessAskedFor() {
        try (FilterHarness h = harness(Map.of())) {
            h.session(TestSession.builder().user("alice").build());
            h.mailFrom("alice@example.com");
            h.rcptTo("partner@example.org");
            assertEquals(List.of(), h.data("Subject: hello\n\nhi\n").addedHeaders());
        }
        try (FilterHarness h = harness(Map.of("skip-authenticated", false))) {
            h.session(TestSession.builder().user("alice").build());
            h.mailFrom("alice@example.com");
            h.rcptTo("partner@example.org");
            assertEquals(List.of(new Header("Subject", "[EXTERNAL] hello")), h.data("Subject: hello\n\nhi\n").addedHeaders());
        }
    }

    @Test
    void everySettingHasAWorkingDefaultAndTheFullMappingIsAccepted() {
        SettingsAssertions.assertDefaultsWork(new SubjectTagFactory(), Map.of());
        SettingsAssertions.assertFullMapping(new SubjectTagFactory(),
                Map.of("tag", "[EXT]", "skip-authenticated", "no", "add-header", "yes"));
        SettingsAssertions.assertUnknownKeyRejected(new SubjectTagFactory(), Map.of());
    }

    @Test
    void aBadTagIsRefusedNamingTheSetting() {
        InvalidSettingException e = SettingsAssertions.assertRejected(new SubjectTagFactory(), Map.of("tag", " "), "tag");
        assertEquals("tag: must be 1 to 64 printable ASCII characters, got ''", e.getMessage());
        SettingsAssertions.assertRejected(new SubjectTagFactory(), Map.of("tag", "x".repeat(65)), "tag");
        SettingsAssertions.assertRejected(new SubjectTagFactory(), Map.of("add-header", "maybe"), "add-header");
    }
}
