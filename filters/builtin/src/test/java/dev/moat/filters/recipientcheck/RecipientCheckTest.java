package dev.moat.filters.recipientcheck;

import static dev.moat.filter.testkit.VerdictAssertions.assertDisconnects;
import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static dev.moat.filter.testkit.VerdictAssertions.assertReject;
import static dev.moat.filter.testkit.VerdictAssertions.assertTempfail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Filter;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import dev.moat.filter.testkit.FilterHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven unit tests of recipient-check through the test kit. */
class RecipientCheckTest {

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void writeFile() throws IOException {
        file = dir.resolve("recipients");
        Files.writeString(file, """
                # known recipients, one per line; Postfix-style values after the address are ignored
                bob@ours.test     OK
                  carol@ours.test
                @lists.sub.test   OK

                Dora.Smith@ours.test
                """);
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new HashMap<>();
        s.put("domains", List.of("ours.test", "*.sub.test"));
        s.put("recipients", List.of("alice@ours.test", "@catchall.sub.test", "\"quoted.name\"@ours.test"));
        s.put("recipient-patterns", List.of("[a-z]+\\+[a-z0-9]+@ours\\.test", "role-(sales|support)@ours\\.test"));
        s.put("recipients-file", file.toString());
        s.put("reload-interval", "0s");
        return s;
    }

    private static Verdict rcpt(FilterHarness h, String recipient) {
        if (h.envelope().sender().isEmpty()) {
            h.mailFrom("sender@elsewhere.test");
        }
        return h.rcptTo(recipient).verdict();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # recipient                 | expected
            alice@ours.test             | next
            ALICE@OURS.TEST             | next
            "alice"@ours.test           | next
            quoted.name@ours.test       | next
            bob@ours.test               | next
            carol@ours.test             | next
            dora.smith@ours.test        | next
            dave@ours.test              | unknown
            alice@sub.test              | next
            anyone@catchall.sub.test    | next
            anyone@lists.sub.test       | next
            anyone@other.sub.test       | unknown
            anyone@deep.other.sub.test  | unknown
            john+tag@ours.test          | next
            JOHN+Tag9@Ours.Test         | next
            john+@ours.test             | unknown
            xjohn+tag@ours.test.evil    | next
            role-sales@ours.test        | next
            role-marketing@ours.test    | unknown
            alice@other.test            | next
            user%other.test@ours.test   | unknown
            """)
    void decides(String recipient, String expected) {
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), settings())) {
            Verdict v = rcpt(h, recipient);
            if (expected.equals("next")) {
                assertNext(v);
            } else {
                assertReject(v, 550, "5.1.1", "<" + recipient + ">: Recipient address rejected: User unknown");
            }
        }
    }

    @Test
    void afterMaxUnknownRecipientsEveryFurtherRcptGets421AndDisconnects() {
        Map<String, Object> s = settings();
        s.put("max-unknown-recipients", 3);
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
            assertReject(rcpt(h, "u1@ours.test"), 550, "5.1.1");
            assertNext(rcpt(h, "alice@ours.test"));
            assertNext(rcpt(h, "someone@other.test"));
            assertReject(rcpt(h, "u2@ours.test"), 550, "5.1.1");
            h.reset(); // RSET does not reset the count: it is per connection
            assertReject(rcpt(h, "u3@ours.test"), 550, "5.1.1");
            for (String next : List.of("u4@ours.test", "alice@ours.test", "someone@other.test")) {
                Verdict v = rcpt(h, next);
                assertTempfail(v, 421, "4.7.0", "Too many unknown recipients");
                assertDisconnects(v);
            }
            h.newConnection(); // a new connection starts from zero
            assertReject(rcpt(h, "u5@ours.test"), 550, "5.1.1");
            assertNext(rcpt(h, "alice@ours.test"));
        }
    }

    @Test
    void theDefaultLimitIsTwentyAndZeroMeansNoLimit() {
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), settings())) {
            for (int i = 0; i < 20; i++) {
                assertReject(rcpt(h, "u" + i + "@ours.test"), 550, "5.1.1");
            }
            assertTempfail(rcpt(h, "alice@ours.test"), 421, "4.7.0");
        }
        Map<String, Object> s = settings();
        s.put("max-unknown-recipients", 0);
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
            for (int i = 0; i < 100; i++) {
                assertReject(rcpt(h, "u" + i + "@ours.test"), 550, "5.1.1");
            }
        }
    }

    @Test
    void twoInstancesOnOneConnectionCountSeparately() {
        Filter ours = FilterHarness.of(new RecipientCheckFactory(), Map.of("name", "check-ours", "domains", "ours.test",
                "recipients", "alice@ours.test", "max-unknown-recipients", 2)).filter();
        Filter other = FilterHarness.of(new RecipientCheckFactory(), Map.of("name", "check-other", "domains", "other.test",
                "recipients", "x@other.test", "max-unknown-recipients", 5)).filter();
        Filter chain = new Filter() { // both in one chain: they share the connection's notes
            @Override
            public Verdict rcptTo(RcptContext context) throws Exception {
                Verdict v = ours.rcptTo(context);
                return v.kind() == Verdict.Kind.NEXT ? other.rcptTo(context) : v;
            }
        };
        try (FilterHarness h = FilterHarness.of(chain)) {
            assertReject(rcpt(h, "u1@other.test"), 550, "5.1.1");
            assertReject(rcpt(h, "u2@other.test"), 550, "5.1.1");
            assertNext(rcpt(h, "alice@ours.test")); // check-ours has seen no unknown recipient yet
            assertReject(rcpt(h, "u3@ours.test"), 550, "5.1.1");
            assertReject(rcpt(h, "u4@ours.test"), 550, "5.1.1");
            assertTempfail(rcpt(h, "alice@ours.test"), 421, "4.7.0");
        }
    }

    @Test
    void theFileIsReloadedWhenItChanges() throws IOException {
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), settings())) {
            assertReject(rcpt(h, "dave@ours.test"), 550, "5.1.1");
            rewrite(file, "dave@ours.test\n");
            assertNext(rcpt(h, "dave@ours.test"));
            assertReject(rcpt(h, "bob@ours.test"), 550, "5.1.1");
            assertNext(rcpt(h, "alice@ours.test")); // the static list is not affected
        }
    }

    @Test
    void theFileIsCheckedAtMostOncePerReloadInterval() throws IOException {
        Map<String, Object> s = settings();
        s.put("reload-interval", "1h");
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
            assertNext(rcpt(h, "bob@ours.test"));
            rewrite(file, "dave@ours.test\n");
            assertNext(rcpt(h, "bob@ours.test"));
            assertReject(rcpt(h, "dave@ours.test"), 550, "5.1.1");
            Files.delete(file);
            assertNext(rcpt(h, "bob@ours.test"));
        }
    }

    @Test
    void aFileThatCannotBeReadGives450UntilItIsBack() throws IOException {
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), settings())) {
            String saved = Files.readString(file);
            Files.delete(file);
            assertTempfail(rcpt(h, "bob@ours.test"), 450, "4.1.1", "<bob@ours.test>: Recipient address rejected: Temporary lookup failure");
            assertTempfail(rcpt(h, "dave@ours.test"), 450, "4.1.1");
            assertNext(rcpt(h, "alice@ours.test")); // known to another source
            assertNext(rcpt(h, "john+x@ours.test"));
            assertNext(rcpt(h, "x@other.test")); // not our domain
            rewrite(file, "bob@ours.test\nthis line is not an address\n");
            assertTempfail(rcpt(h, "bob@ours.test"), 450, "4.1.1");
            rewrite(file, saved);
            assertNext(rcpt(h, "bob@ours.test"));
            assertReject(rcpt(h, "dave@ours.test"), 550, "5.1.1");
        }
    }

    @Test
    void lookupFailuresDoNotCountTowardsTheHarvestLimit() throws IOException {
        Map<String, Object> s = settings();
        s.put("max-unknown-recipients", 1);
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
            Files.delete(file);
            for (int i = 0; i < 5; i++) {
                assertTempfail(rcpt(h, "u" + i + "@ours.test"), 450, "4.1.1");
            }
            rewrite(file, "bob@ours.test\n");
            assertReject(rcpt(h, "u9@ours.test"), 550, "5.1.1");
            assertTempfail(rcpt(h, "bob@ours.test"), 421, "4.7.0");
        }
    }

    @Test
    void repliesAreConfigurable() throws IOException {
        Map<String, Object> s = settings();
        s.put("max-unknown-recipients", 1);
        s.put("unknown-reply-code", 450);
        s.put("unknown-reply-status", "4.1.1");
        s.put("unknown-reply-text", "No mailbox {recipient} here (soft)");
        s.put("failure-reply-code", 451);
        s.put("failure-reply-status", "4.3.0");
        s.put("failure-reply-text", "Directory unavailable");
        s.put("harvest-reply-code", 554);
        s.put("harvest-reply-status", "5.7.1");
        s.put("harvest-reply-text", "Go away");
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
            assertTempfail(rcpt(h, "dave@ours.test"), 450, "4.1.1", "No mailbox dave@ours.test here (soft)");
            Verdict v = rcpt(h, "erin@ours.test");
            assertReject(v, 554, "5.7.1", "Go away");
            assertDisconnects(v);
        }
        s.put("max-unknown-recipients", 0);
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
            Files.delete(file);
            assertTempfail(rcpt(h, "dave@ours.test"), 451, "4.3.0", "Directory unavailable");
        }
    }

    @Test
    void theAddressInTheReplyIsMadePrintableAndShort() {
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), settings())) {
            assertReject(rcpt(h, "jörg@ours.test"), 550, "5.1.1", "<j?rg@ours.test>: Recipient address rejected: User unknown");
            String longLocal = "x".repeat(250);
            Verdict v = rcpt(h, longLocal + "@" + "ab.".repeat(60) + "sub.test");
            String text = v.reply().orElseThrow().text();
            assertEquals(400, text.length());
            assertTrue(text.endsWith("..."), text);
        }
    }

    @Test
    void eachSourceWorksAlone() {
        Map<String, Object> onlyList = Map.of("domains", "ours.test", "recipients", "alice@ours.test");
        Map<String, Object> onlyPatterns = Map.of("domains", "ours.test", "recipient-patterns", "alice@.*");
        Map<String, Object> onlyFile = Map.of("domains", "ours.test", "recipients-file", file.toString());
        for (Map<String, Object> s : List.of(onlyList, onlyPatterns)) {
            try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
                assertNext(rcpt(h, "alice@ours.test"));
                assertReject(rcpt(h, "bob@ours.test"), 550, "5.1.1");
            }
        }
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), onlyFile)) {
            assertNext(rcpt(h, "bob@ours.test"));
            assertReject(rcpt(h, "alice@ours.test"), 550, "5.1.1");
        }
    }

    @ParameterizedTest(name = "{0}={1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            domains                | -                   | is required
            domains                | not a domain        | not a domain
            recipients             | alice@other.test    | would never be consulted
            recipients             | alice               | not an address or @domain
            recipients             | @bad domain         | not an address or @domain
            recipient-patterns     | (unclosed           | not a valid regular expression
            recipients-file        | /nonexistent/file   | cannot read
            recipients-file        | BADFILE             | line 2
            reload-interval        | -5s                 | negative
            reload-interval        | soon                | soon
            max-unknown-recipients | -1                  | must be 0
            unknown-reply-code     | 250                 | not a 4xx or 5xx
            unknown-reply-status   | 4.1.1               | does not match the reply code 550
            harvest-reply-status   | 4.7                 | not an enhanced status code
            failure-reply-text     | über                | printable ASCII
            """)
    void badSettingsFailStartUpNamingTheKey(String key, String value, String reason) throws IOException {
        Map<String, Object> s = settings();
        if (value.equals("-")) {
            s.remove(key);
        } else if (value.equals("BADFILE")) {
            Path bad = dir.resolve("bad");
            Files.writeString(bad, "ok@ours.test\nnot-an-address\n");
            s.put(key, bad.toString());
        } else {
            s.put(key, value);
        }
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> FilterHarness.of(new RecipientCheckFactory(), s));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void withoutAnySourceStartUpFails() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new RecipientCheckFactory(), Map.of("domains", "ours.test")));
        assertTrue(e.getMessage().contains("no source of recipients"), e.getMessage());
    }

    @Test
    void otherStagesHaveNoOpinion() {
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), settings())) {
            assertNext(h.connect());
            assertNext(h.helo("client.example"));
            assertNext(h.mailFrom("nobody@ours.test").verdict());
            assertNext(h.rcptTo("alice@ours.test").verdict());
            assertNext(h.data("Subject: x\n\nbody\n").verdict());
            h.disconnect();
        }
        assertTrue(new RecipientCheckFactory().settingKeys().containsAll(List.of("verify-with-next-hop", "verify-helo",
                "verify-sender", "verify-timeout", "verify-cache-ttl", "verify-negative-cache-ttl", "verify-cache-size")));
    }

    @Test
    void lookupsAreCountedByOutcome() throws IOException {
        Map<String, Object> s = settings();
        s.put("max-unknown-recipients", 3);
        try (FilterHarness h = FilterHarness.of(new RecipientCheckFactory(), s)) {
            assertNext(rcpt(h, "alice@ours.test"));   // static list
            assertNext(rcpt(h, "john+x@ours.test"));  // pattern
            assertNext(rcpt(h, "bob@ours.test"));     // file
            assertNext(rcpt(h, "x@other.test"));      // not our domain: not looked up, not counted
            assertReject(rcpt(h, "dave@ours.test"), 550, "5.1.1");
            assertReject(rcpt(h, "erin@ours.test"), 550, "5.1.1");
            Files.delete(file);
            assertTempfail(rcpt(h, "carol@ours.test"), 450, "4.1.1");
            assertEquals(3.0, h.counter("recipients.known"));
            assertEquals(2.0, h.counter("recipients.unknown"));
            assertEquals(1.0, h.counter("recipients.lookup.failures"));

            rewrite(file, "bob@ours.test\n");
            assertReject(rcpt(h, "frank@ours.test"), 550, "5.1.1"); // the third unknown
            assertTempfail(rcpt(h, "bob@ours.test"), 421, "4.7.0"); // harvest reply: not looked up, not counted
            assertEquals(3.0, h.counter("recipients.known"));
            assertEquals(3.0, h.counter("recipients.unknown"));
            assertEquals(1.0, h.counter("recipients.lookup.failures"));
            assertEquals(3.0, h.counter("recipients.unknown", "filter", "recipient-check", "type", "recipient-check"));
        }
    }

    /** Replaces the file's content and moves its modification time forward, as an editor would. */
    private static void rewrite(Path path, String content) throws IOException {
        FileTime before = Files.exists(path) ? Files.getLastModifiedTime(path) : FileTime.fromMillis(0);
        Files.writeString(path, content);
        long later = Math.max(before.toMillis() + 2000, System.currentTimeMillis());
        Files.setLastModifiedTime(path, FileTime.fromMillis(later));
    }
}
