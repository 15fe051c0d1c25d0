package dev.moat.filter.testkit;

import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static dev.moat.filter.testkit.VerdictAssertions.assertReject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.Header;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.MailContext;
import dev.moat.filter.DataContext;
import dev.moat.filter.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The example of docs/testing-filters.md, kept compiling and passing. */
class DocExampleTest {

    /** The filter under test: refuses listed sender domains, tags every accepted message. */
    static final class SenderBlockFactory implements FilterFactory {
        @Override public String type() { return "sender-block"; }
        @Override public Set<String> settingKeys() { return Set.of("domains", "max-size"); }

        @Override
        public Filter create(FilterSettings settings) {
            Set<String> blocked = Set.copyOf(settings.strings("domains"));
            long maxSize = settings.size("max-size", 10L * 1024 * 1024);
            return new Filter() {
                @Override
                public Verdict mailFrom(MailContext context) {
                    boolean isBlocked = context.sender().map(a -> blocked.contains(a.normalizedDomain())).orElse(false);
                    return isBlocked ? Verdict.reject(550, "5.7.1", "sender domain blocked") : Verdict.next();
                }

                @Override
                public Verdict data(DataContext context) {
                    if (context.message().size() > maxSize) {
                        return Verdict.reject(552, "5.3.4", "message too big");
                    }
                    context.headers().add(new Header("X-Sender-Check", "pass"));
                    return Verdict.next();
                }
            };
        }
    }

    // --- the documented test starts here ---

    private static FilterHarness harness() {
        return FilterHarness.of(new SenderBlockFactory(),
                Map.of("domains", List.of("spam.example", "junk.example"), "max-size", "1KB"));
    }

    @ParameterizedTest(name = "MAIL FROM:<{0}> -> {1}")
    @CsvSource({
            "alice@example.org,        next",
            "bob@SPAM.example,         550 5.7.1",
            "carol@junk.example,       550 5.7.1",
            "'',                       next",      // null sender <>
    })
    void senderDomains(String sender, String expected) {
        try (FilterHarness h = harness()) {
            assertNext(h.connect());
            StageOutcome out = h.mailFrom(sender);
            if (expected.equals("next")) {
                assertNext(out.verdict());
            } else {
                String[] reply = expected.split(" ");
                assertReject(out.verdict(), Integer.parseInt(reply[0]), reply[1]);
            }
        }
    }

    @Test
    void acceptedMessageIsTagged() {
        try (FilterHarness h = harness()) {
            h.mailFrom("alice@example.org");
            h.rcptTo("bob@example.com");
            StageOutcome out = h.data("Subject: hi\n\nHello Bob\n");
            assertNext(out.verdict());
            assertEquals("X-Sender-Check: pass\r\nSubject: hi\r\n\r\nHello Bob\r\n",
                    new String(h.deliveredMessage(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void tooBigMessageIsRefused() {
        try (FilterHarness h = harness()) {
            h.mailFrom("alice@example.org");
            h.rcptTo("bob@example.com");
            assertReject(h.data("Subject: big\n\n" + "x".repeat(2000)).verdict(), 552, "5.3.4");
        }
    }

    @Test
    void typoInASettingFailsLikeStartUp() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new SenderBlockFactory(), Map.of("domain", "spam.example")));
        assertEquals("domain", e.key());
    }
}
