package dev.moat.filter.testkit;

import static dev.moat.filter.testkit.VerdictAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moat.filter.Verdict;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class VerdictAssertTest {

    @Test
    void matchingVerdictsPass() {
        assertThat(Verdict.reject(550, "5.1.1", "no such user")).isRejected().isRefused().withCode(550)
                .withEnhancedCode("5.1.1").withText("no such user").withTextContaining("such").doesNotDisconnect();
        assertThat(Verdict.tempfail(421, "4.7.0", "later").andDisconnect()).isTempFailed().withCode(421).disconnects();
        assertThat(Verdict.next()).isNext();
        assertThat(Verdict.accept()).isAccepted();
        assertThat(Verdict.discard()).isDiscarded();
        assertThat(Verdict.quarantine("virus found")).isQuarantined().withReasonContaining("virus");
    }

    @Test
    void aWrongKindNamesBothVerdicts() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(Verdict.tempfail(451, "4.7.1", "later")).isRejected());
        assertEquals("expected a reject but was: tempfail 451 4.7.1 later", e.getMessage());
        e = assertThrows(AssertionFailedError.class, () -> assertThat(Verdict.next()).isAccepted());
        assertEquals("expected an accept but was: next", e.getMessage());
    }

    @Test
    void aWrongDetailNamesIt() {
        Verdict v = Verdict.reject(550, "5.7.1", "relay denied");
        assertEquals("expected a reject with code 554 but was: reject 550 5.7.1 relay denied",
                assertThrows(AssertionFailedError.class, () -> assertThat(v).isRejected().withCode(554)).getMessage());
        assertEquals("expected a reject with enhanced code 5.1.1 but was: reject 550 5.7.1 relay denied",
                assertThrows(AssertionFailedError.class, () -> assertThat(v).withEnhancedCode("5.1.1")).getMessage());
        assertEquals("expected a reject with text \"denied\" but was: reject 550 5.7.1 relay denied",
                assertThrows(AssertionFailedError.class, () -> assertThat(v).withText("denied")).getMessage());
        assertEquals("expected a reject that disconnects but was: reject 550 5.7.1 relay denied",
                assertThrows(AssertionFailedError.class, () -> assertThat(v).disconnects()).getMessage());
        assertEquals("expected a reply with code 550 but was: next (which has no reply)",
                assertThrows(AssertionFailedError.class, () -> assertThat(Verdict.next()).withCode(550)).getMessage());
        assertEquals("expected a quarantine with a reason containing \"spam\" but was: quarantine (virus)",
                assertThrows(AssertionFailedError.class,
                        () -> assertThat(Verdict.quarantine("virus")).withReasonContaining("spam")).getMessage());
        assertThrows(AssertionFailedError.class, () -> assertThat(null));
    }
}
