package dev.moat.filter.testkit;

import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import java.util.Objects;
import org.junit.jupiter.api.Assertions;

/**
 * JUnit assertions on {@link Verdict}s. A failure throws {@code org.opentest4j.AssertionFailedError}
 * with the expected and actual verdict, e.g.
 * {@code expected verdict ==> expected: <reject 550 5.7.1> but was: <next>}. Whether the verdict also
 * disconnects is not checked, except by {@link #assertDisconnects(Verdict)}.
 *
 * <pre>{@code
 * import static dev.moat.filter.testkit.VerdictAssertions.*;
 *
 * assertNext(harness.connect());
 * assertReject(harness.rcptTo("nobody@example.com").verdict(), 550, "5.1.1");
 * assertTempfail(harness.mailFrom("a@example.org").verdict(), 451, "4.7.1");
 * assertQuarantine(harness.data(message).verdict(), "virus");
 * }</pre>
 */
public final class VerdictAssertions {

    private static final String MESSAGE = "expected verdict";

    private VerdictAssertions() {
    }

    /** Asserts {@code next}: the filter had no opinion. */
    public static void assertNext(Verdict v) {
        assertKind(v, Verdict.Kind.NEXT);
    }

    /** Asserts {@code accept}. */
    public static void assertAccept(Verdict v) {
        assertKind(v, Verdict.Kind.ACCEPT);
    }

    /** Asserts {@code discard}. */
    public static void assertDiscard(Verdict v) {
        assertKind(v, Verdict.Kind.DISCARD);
    }

    /** Asserts a reject with this code and enhanced status; the text is not checked. */
    public static void assertReject(Verdict v, int code, String enhancedStatus) {
        assertRefusal(v, Verdict.Kind.REJECT, code, enhancedStatus, null);
    }

    /** Asserts a reject with exactly this code, enhanced status and text. */
    public static void assertReject(Verdict v, int code, String enhancedStatus, String text) {
        assertRefusal(v, Verdict.Kind.REJECT, code, enhancedStatus, Objects.requireNonNull(text, "text"));
    }

    /** Asserts a tempfail with this code and enhanced status; the text is not checked. */
    public static void assertTempfail(Verdict v, int code, String enhancedStatus) {
        assertRefusal(v, Verdict.Kind.TEMPFAIL, code, enhancedStatus, null);
    }

    /** Asserts a tempfail with exactly this code, enhanced status and text. */
    public static void assertTempfail(Verdict v, int code, String enhancedStatus, String text) {
        assertRefusal(v, Verdict.Kind.TEMPFAIL, code, enhancedStatus, Objects.requireNonNull(text, "text"));
    }

    /** Asserts a quarantine whose reason contains {@code reasonContains} (case-sensitive). */
    public static void assertQuarantine(Verdict v, String reasonContains) {
        Objects.requireNonNull(reasonContains, "reasonContains");
        assertNotNull(v);
        String reason = v.reason().orElse("");
        if (v.kind() != Verdict.Kind.QUARANTINE || !reason.contains(reasonContains)) {
            Assertions.assertEquals("quarantine (reason containing \"" + reasonContains + "\")", v.toString(), MESSAGE);
        }
    }

    /** Asserts that the verdict closes the connection after its reply ({@link Verdict#andDisconnect()}). */
    public static void assertDisconnects(Verdict v) {
        assertNotNull(v);
        if (!v.disconnect()) {
            Assertions.assertEquals(v + " and disconnect", v.toString(), MESSAGE);
        }
    }

    private static void assertKind(Verdict v, Verdict.Kind kind) {
        assertNotNull(v);
        if (v.kind() != kind) {
            Assertions.assertEquals(kind.name().toLowerCase(java.util.Locale.ROOT), v.toString(), MESSAGE);
        }
    }

    private static void assertRefusal(Verdict v, Verdict.Kind kind, int code, String enhancedStatus, String text) {
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        assertNotNull(v);
        String expected = kind.name().toLowerCase(java.util.Locale.ROOT) + " " + code + " " + enhancedStatus
                + (text == null || text.isEmpty() ? "" : " " + text);
        Reply reply = v.reply().orElse(null);
        boolean matches = v.kind() == kind && reply != null && reply.code() == code
                && reply.enhancedStatus().equals(enhancedStatus) && (text == null || reply.text().equals(text));
        if (!matches) {
            String actual = v.kind() == kind && reply != null && text == null
                    ? v.label() + " " + reply.code() + " " + reply.enhancedStatus() // the text is not compared
                    : v.toString();
            if (actual.equals(expected)) { // only the disconnect flag or text spacing differs; show everything
                actual = v + " [text \"" + (reply == null ? "" : reply.text()) + "\"]";
            }
            Assertions.assertEquals(expected, actual, MESSAGE);
        }
    }

    private static void assertNotNull(Verdict v) {
        Assertions.assertNotNull(v, "expected a verdict, got null (the gateway answers 451 4.3.0 for a null verdict)");
    }
}
