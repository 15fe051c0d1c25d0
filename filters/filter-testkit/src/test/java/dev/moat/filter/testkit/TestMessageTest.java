package dev.moat.filter.testkit;

import static dev.moat.filter.testkit.VerdictAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Address;
import dev.moat.filter.DataContext;
import dev.moat.filter.Envelope;
import dev.moat.filter.Filter;
import dev.moat.filter.MailContext;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestMessageTest {

    @Test
    void builtMessagesHaveCrlfLinesAndFieldsInOrder() {
        byte[] m = TestMessage.builder().from("a@example.org").to("b@example.com").subject("Hi").header("X-A", "1")
                .body("line one\nline two").build();
        assertEquals("From: a@example.org\r\nTo: b@example.com\r\nSubject: Hi\r\nX-A: 1\r\n\r\nline one\r\nline two\r\n",
                new String(m, StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> TestMessage.builder().header("X", "a\nb"));
    }

    @Test
    void emlResourcesAreReadWithCrlfAndTheirBytesKept() {
        byte[] m = TestMessage.resource(TestMessageTest.class, "latin1.eml");
        assertArrayEquals(("Subject: caf\u00e9\r\n\r\nna\u00efve\r\n").getBytes(StandardCharsets.ISO_8859_1), m);
        assertThrows(IllegalArgumentException.class, () -> TestMessage.resource(TestMessageTest.class, "missing.eml"));
    }

    @Test
    void envelopesAreBuiltAsTheyArrive() {
        Envelope e = TestEnvelope.builder().sender("<a@example.org>").recipient("b@example.com").recipient("c@example.com")
                .parameter("body", "8BITMIME").build();
        assertEquals(Optional.of(Address.parse("a@example.org")), e.sender());
        assertEquals(List.of(Address.parse("b@example.com"), Address.parse("c@example.com")), e.recipients());
        assertEquals(Map.of("BODY", "8BITMIME"), e.mailParameters());
        assertEquals(Optional.empty(), TestEnvelope.builder().sender("").build().sender());
    }

    /** Refuses recipients named "nobody", and messages larger than 100 bytes. */
    private static final class Picky implements Filter {
        int mailCalls;

        @Override
        public Verdict mailFrom(MailContext context) {
            mailCalls++;
            return context.sender().isEmpty() ? Verdict.reject(550, "5.7.1", "no bounces") : Verdict.next();
        }

        @Override
        public Verdict rcptTo(RcptContext context) {
            return context.recipient().localPart().equals("nobody") ? Verdict.reject(550, "5.1.1", "unknown") : Verdict.next();
        }

        @Override
        public Verdict data(DataContext context) {
            return context.message().size() > 100 ? Verdict.reject(552, "5.3.4", "too big") : Verdict.next();
        }
    }

    @Test
    void sendRunsAWholeTransaction() {
        try (FilterHarness h = FilterHarness.of(new Picky())) {
            TransactionOutcome out = h.send(TestEnvelope.of("a@example.org", "nobody@example.com", "b@example.com"),
                    TestMessage.builder().subject("s").body("x").build());
            assertThat(out.recipients().get(0).verdict()).isRejected().withEnhancedCode("5.1.1");
            assertThat(out.recipients().get(1).verdict()).isNext();
            assertThat(out.finalVerdict()).isNext();
            assertEquals(List.of(Address.parse("b@example.com")), out.data().orElseThrow().envelope().recipients());

            out = h.send(TestEnvelope.of("a@example.org", "b@example.com"),
                    TestMessage.builder().body("x".repeat(200)).build());
            assertThat(out.finalVerdict()).isRejected().withCode(552);

            out = h.send(TestEnvelope.of("a@example.org", "nobody@example.com"), TestMessage.builder().build());
            assertTrue(out.data().isEmpty());
            assertThat(out.finalVerdict()).isRejected().withCode(550);

            out = h.send(TestEnvelope.builder().nullSender().recipient("b@example.com").build(), TestMessage.builder().build());
            assertTrue(out.recipients().isEmpty() && out.data().isEmpty());
            assertThat(out.finalVerdict()).isRejected().withText("no bounces");
            assertEquals(4, ((Picky) h.filter()).mailCalls);
        }
    }
}
