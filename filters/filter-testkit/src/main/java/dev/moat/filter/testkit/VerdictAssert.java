package dev.moat.filter.testkit;

import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import java.util.Locale;
import java.util.Objects;
import org.opentest4j.AssertionFailedError;

/**
 * Fluent, AssertJ-style assertions on a {@link Verdict}: state the kind first, then refine.
 *
 * <pre>{@code
 * import static dev.moat.filter.testkit.VerdictAssert.assertThat;
 *
 * assertThat(h.rcptTo("nobody@example.com").verdict()).isRejected().withCode(550).withEnhancedCode("5.1.1");
 * assertThat(h.connect()).isTempFailed().withTextContaining("try later").disconnects();
 * assertThat(h.data(message).verdict()).isQuarantined().withReasonContaining("virus");
 * assertThat(h.mailFrom("a@example.org").verdict()).isNext();
 * }</pre>
 *
 * A failure throws {@code org.opentest4j.AssertionFailedError} whose message names what was expected
 * and shows the whole verdict, e.g. {@code expected a reject with code 550 but was: tempfail 451 4.7.1 later}.
 * No AssertJ is needed; if your test imports AssertJ's {@code assertThat} too, call this one as
 * {@code VerdictAssert.assertThat(v)}.
 */
public final class VerdictAssert {

    private final Verdict actual;

    private VerdictAssert(Verdict actual) {
        this.actual = actual;
    }

    /** Starts an assertion on {@code verdict}; a {@code null} verdict fails (the gateway answers 451 for it). */
    public static VerdictAssert assertThat(Verdict verdict) {
        if (verdict == null) {
            throw new AssertionFailedError("expected a verdict but was null (the gateway answers 451 4.3.0 for a null verdict)");
        }
        return new VerdictAssert(verdict);
    }

    /** {@code next}: no opinion. */
    public VerdictAssert isNext() {
        return kind(Verdict.Kind.NEXT);
    }

    /** {@code accept}. */
    public VerdictAssert isAccepted() {
        return kind(Verdict.Kind.ACCEPT);
    }

    /** {@code reject}: a permanent 5xx refusal. */
    public VerdictAssert isRejected() {
        return kind(Verdict.Kind.REJECT);
    }

    /** {@code tempfail}: a transient 4xx refusal. */
    public VerdictAssert isTempFailed() {
        return kind(Verdict.Kind.TEMPFAIL);
    }

    /** Either refusal: reject or tempfail. */
    public VerdictAssert isRefused() {
        if (actual.reply().isEmpty()) {
            fail("a reject or tempfail");
        }
        return this;
    }

    /** {@code discard}. */
    public VerdictAssert isDiscarded() {
        return kind(Verdict.Kind.DISCARD);
    }

    /** {@code quarantine}. */
    public VerdictAssert isQuarantined() {
        return kind(Verdict.Kind.QUARANTINE);
    }

    /** The reply's three-digit code. */
    public VerdictAssert withCode(int code) {
        if (reply("code " + code).code() != code) {
            fail(describe() + " with code " + code);
        }
        return this;
    }

    /** The reply's enhanced status code, e.g. {@code 5.1.1}. */
    public VerdictAssert withEnhancedCode(String enhancedStatus) {
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        if (!reply("enhanced code " + enhancedStatus).enhancedStatus().equals(enhancedStatus)) {
            fail(describe() + " with enhanced code " + enhancedStatus);
        }
        return this;
    }

    /** The reply's text, exactly. */
    public VerdictAssert withText(String text) {
        Objects.requireNonNull(text, "text");
        if (!reply("text \"" + text + "\"").text().equals(text)) {
            fail(describe() + " with text \"" + text + "\"");
        }
        return this;
    }

    /** The reply's text contains {@code part} (case-sensitive). */
    public VerdictAssert withTextContaining(String part) {
        Objects.requireNonNull(part, "part");
        if (!reply("text containing \"" + part + "\"").text().contains(part)) {
            fail(describe() + " with text containing \"" + part + "\"");
        }
        return this;
    }

    /** The quarantine reason contains {@code part} (case-sensitive). */
    public VerdictAssert withReasonContaining(String part) {
        Objects.requireNonNull(part, "part");
        if (!actual.reason().orElse("").contains(part)) {
            fail("a quarantine with a reason containing \"" + part + "\"");
        }
        return this;
    }

    /** The connection is closed after the reply ({@link Verdict#andDisconnect()}). */
    public VerdictAssert disconnects() {
        if (!actual.disconnect()) {
            fail(describe() + " that disconnects");
        }
        return this;
    }

    /** The connection stays open after the reply. */
    public VerdictAssert doesNotDisconnect() {
        if (actual.disconnect()) {
            fail(describe() + " that keeps the connection");
        }
        return this;
    }

    /** The verdict under test, for anything the fluent methods do not cover. */
    public Verdict actual() {
        return actual;
    }

    private VerdictAssert kind(Verdict.Kind kind) {
        if (actual.kind() != kind) {
            fail(article(kind) + " " + kind.name().toLowerCase(Locale.ROOT));
        }
        return this;
    }

    private Reply reply(String what) {
        return actual.reply().orElseThrow(() -> new AssertionFailedError(
                "expected a reply with " + what + " but was: " + actual + " (which has no reply)", what, actual.toString()));
    }

    private String describe() {
        return article(actual.kind()) + " " + actual.label();
    }

    private static String article(Verdict.Kind kind) {
        return kind == Verdict.Kind.ACCEPT ? "an" : "a";
    }

    private void fail(String expected) {
        throw new AssertionFailedError("expected " + expected + " but was: " + actual, expected, actual.toString());
    }
}
