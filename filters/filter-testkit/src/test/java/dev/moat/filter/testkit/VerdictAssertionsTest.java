package dev.moat.filter.testkit;

import static dev.moat.filter.testkit.VerdictAssertions.assertAccept;
import static dev.moat.filter.testkit.VerdictAssertions.assertDiscard;
import static dev.moat.filter.testkit.VerdictAssertions.assertDisconnects;
import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static dev.moat.filter.testkit.VerdictAssertions.assertQuarantine;
import static dev.moat.filter.testkit.VerdictAssertions.assertReject;
import static dev.moat.filter.testkit.VerdictAssertions.assertTempfail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moat.filter.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

class VerdictAssertionsTest {

    private static AssertionFailedError fails(Executable e) {
        return assertThrows(AssertionFailedError.class, e);
    }

    @Test
    void passingAssertions() {
        assertNext(Verdict.next());
        assertAccept(Verdict.accept());
        assertAccept(Verdict.accept().andDisconnect());
        assertDiscard(Verdict.discard());
        assertReject(Verdict.reject(550, "5.7.1", "go away"), 550, "5.7.1");
        assertReject(Verdict.reject(550, "5.7.1", "go away"), 550, "5.7.1", "go away");
        assertTempfail(Verdict.tempfail(451, "4.7.1", "later"), 451, "4.7.1");
        assertTempfail(Verdict.tempfail(451, "4.7.1", "later"), 451, "4.7.1", "later");
        assertQuarantine(Verdict.quarantine("virus Eicar found"), "Eicar");
        assertDisconnects(Verdict.reject("bye").andDisconnect());
    }

    @Test
    void wrongKindShowsBothVerdicts() {
        AssertionFailedError e = fails(() -> assertReject(Verdict.next(), 550, "5.7.1"));
        assertEquals("expected verdict ==> expected: <reject 550 5.7.1> but was: <next>", e.getMessage());
        e = fails(() -> assertNext(Verdict.tempfail(451, "4.7.1", "later")));
        assertEquals("expected verdict ==> expected: <next> but was: <tempfail 451 4.7.1 later>", e.getMessage());
        fails(() -> assertAccept(Verdict.next()));
        fails(() -> assertDiscard(Verdict.accept()));
        fails(() -> assertTempfail(Verdict.reject("no"), 550, "5.7.1"));
    }

    @Test
    void wrongCodeOrStatusOrText() {
        AssertionFailedError e = fails(() -> assertReject(Verdict.reject(554, "5.7.1", "x"), 550, "5.7.1"));
        assertEquals("expected verdict ==> expected: <reject 550 5.7.1> but was: <reject 554 5.7.1>", e.getMessage());
        fails(() -> assertReject(Verdict.reject(550, "5.7.1", "x"), 550, "5.1.1"));
        e = fails(() -> assertReject(Verdict.reject(550, "5.7.1", "x"), 550, "5.7.1", "y"));
        assertEquals("expected verdict ==> expected: <reject 550 5.7.1 y> but was: <reject 550 5.7.1 x>", e.getMessage());
        fails(() -> assertTempfail(Verdict.tempfail(421, "4.7.0", "x"), 451, "4.7.0"));
    }

    @Test
    void quarantineReasonAndDisconnect() {
        AssertionFailedError e = fails(() -> assertQuarantine(Verdict.quarantine("spam score 9"), "virus"));
        assertEquals("expected verdict ==> expected: <quarantine (reason containing \"virus\")> "
                + "but was: <quarantine (spam score 9)>", e.getMessage());
        fails(() -> assertQuarantine(Verdict.discard(), "x"));
        fails(() -> assertDisconnects(Verdict.reject("no")));
    }

    @Test
    void nullVerdictFails() {
        fails(() -> assertNext(null));
        fails(() -> assertReject(null, 550, "5.7.1"));
    }
}
