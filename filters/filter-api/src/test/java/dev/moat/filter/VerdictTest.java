package dev.moat.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void nextAcceptAndDiscardAreConstantsWithoutReply() {
        assertSame(Verdict.next(), Verdict.next());
        assertSame(Verdict.accept(), Verdict.accept());
        assertSame(Verdict.discard(), Verdict.discard());
        for (Verdict v : new Verdict[] {Verdict.next(), Verdict.accept(), Verdict.discard()}) {
            assertEquals(Optional.empty(), v.reply());
            assertEquals(Optional.empty(), v.reason());
            assertFalse(v.disconnect());
        }
        assertEquals(Verdict.Kind.NEXT, Verdict.next().kind());
        assertEquals(Verdict.Kind.ACCEPT, Verdict.accept().kind());
        assertEquals(Verdict.Kind.DISCARD, Verdict.discard().kind());
    }

    @Test
    void rejectCarriesItsReply() {
        Verdict v = Verdict.reject(553, "5.7.1", "nope");
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertEquals(Optional.of(new Reply(553, "5.7.1", "nope")), v.reply());
        assertEquals(Optional.empty(), v.reason());
        assertEquals("reject 553 5.7.1 nope", v.toString());
    }

    @Test
    void rejectWithTextIs550Enhanced571() {
        assertEquals(Optional.of(new Reply(550, "5.7.1", "spam")), Verdict.reject("spam").reply());
    }

    @Test
    void tempfailCarriesItsReply() {
        Verdict v = Verdict.tempfail(450, "4.2.0", "later");
        assertEquals(Verdict.Kind.TEMPFAIL, v.kind());
        assertEquals("450 4.2.0 later", v.reply().orElseThrow().toString());
        assertEquals(Optional.of(new Reply(451, "4.7.1", "greylisted")), Verdict.tempfail("greylisted").reply());
    }

    @Test
    void rejectNeedsA5xxCode() {
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject(451, "4.7.1", "not permanent"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject(250, "2.0.0", "not a refusal"));
    }

    @Test
    void tempfailNeedsA4xxCode() {
        assertThrows(IllegalArgumentException.class, () -> Verdict.tempfail(550, "5.7.1", "not transient"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.tempfail(250, "2.0.0", "not a refusal"));
    }

    @Test
    void theEnhancedClassMustMatchTheCode() {
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject(550, "4.7.1", "mismatch"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.tempfail(451, "5.7.1", "mismatch"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject(550, "2.0.0", "mismatch"));
    }

    @Test
    void replyTextMustBeOnePrintableLine() {
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject("a\r\n250 smuggled"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject("a\rb"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.tempfail("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.tempfail(451, "4.7.1", "tab\there"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.reject(550, "5.7.1", "caf\u00e9"));
        assertThrows(NullPointerException.class, () -> Verdict.reject(550, "5.7.1", null));
    }

    @Test
    void quarantineKeepsItsReasonAndHasNoReply() {
        Verdict v = Verdict.quarantine("score 9.1");
        assertEquals(Verdict.Kind.QUARANTINE, v.kind());
        assertEquals(Optional.of("score 9.1"), v.reason());
        assertEquals(Optional.empty(), v.reply());
        assertEquals("quarantine (score 9.1)", v.toString());
    }

    @Test
    void quarantineReasonMustBeOneNonBlankLine() {
        assertThrows(IllegalArgumentException.class, () -> Verdict.quarantine(""));
        assertThrows(IllegalArgumentException.class, () -> Verdict.quarantine("   "));
        assertThrows(IllegalArgumentException.class, () -> Verdict.quarantine("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.quarantine("a\rb"));
        assertThrows(NullPointerException.class, () -> Verdict.quarantine(null));
    }

    @Test
    void nextCannotDisconnect() {
        assertThrows(IllegalStateException.class, () -> Verdict.next().andDisconnect());
    }

    @Test
    void andDisconnectIsANewVerdictOfTheSameKind() {
        Verdict reject = Verdict.reject(550, "5.7.1", "bye");
        Verdict closing = reject.andDisconnect();
        assertTrue(closing.disconnect());
        assertFalse(reject.disconnect(), "the original is unchanged");
        assertEquals(Verdict.Kind.REJECT, closing.kind());
        assertEquals(reject.reply(), closing.reply());
        assertNotEquals(reject, closing);
        assertEquals(closing, reject.andDisconnect());
        assertEquals("reject 550 5.7.1 bye and disconnect", closing.toString());

        for (Verdict v : new Verdict[] {Verdict.accept(), Verdict.discard(), Verdict.quarantine("q"), Verdict.tempfail("t")}) {
            Verdict d = v.andDisconnect();
            assertTrue(d.disconnect());
            assertEquals(v.kind(), d.kind());
            assertEquals(v.reason(), d.reason());
            assertFalse(v.disconnect());
        }
        assertFalse(Verdict.accept().disconnect(), "the shared constant is not changed");
    }

    @Test
    void labelsAreLowerCaseKindNames() {
        assertEquals("next", Verdict.next().label());
        assertEquals("accept", Verdict.accept().label());
        assertEquals("reject", Verdict.reject("x").label());
        assertEquals("tempfail", Verdict.tempfail("x").label());
        assertEquals("discard", Verdict.discard().label());
        assertEquals("quarantine", Verdict.quarantine("x").label());
        assertEquals("accept", Verdict.accept().toString());
        assertEquals("discard and disconnect", Verdict.discard().andDisconnect().toString());
    }

    @Test
    void equalityIsByValue() {
        assertEquals(Verdict.reject(554, "5.7.1", "x"), Verdict.reject(554, "5.7.1", "x"));
        assertEquals(Verdict.reject(554, "5.7.1", "x").hashCode(), Verdict.reject(554, "5.7.1", "x").hashCode());
        assertNotEquals(Verdict.reject(554, "5.7.1", "x"), Verdict.reject(554, "5.7.1", "y"));
        assertEquals(Verdict.quarantine("a"), Verdict.quarantine("a"));
        assertNotEquals(Verdict.quarantine("a"), Verdict.quarantine("b"));
        assertNotEquals(Verdict.accept(), Verdict.discard());
    }
}
