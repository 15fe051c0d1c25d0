package dev.moat.filter;

import java.util.Objects;
import java.util.Optional;

/**
 * What a filter decided for one stage call. The vocabulary is deliberately tiny:
 * <ul>
 *   <li>{@link #next()}: no opinion, ask the next filter;</li>
 *   <li>{@link #accept()}: vouch for it, end the stage (at RCPT: the recipient may be relayed);</li>
 *   <li>{@link #reject}: refuse permanently with a 5xx reply;</li>
 *   <li>{@link #tempfail}: refuse for now with a 4xx reply;</li>
 *   <li>{@link #discard()}: answer 250 but deliver nothing;</li>
 *   <li>{@link #quarantine(String)}: answer 250 and keep the message in the quarantine store.</li>
 * </ul>
 * Any of them can be followed by {@link #andDisconnect()}: the reply is sent, then the connection is
 * closed. A discard or quarantine given before DATA applies to the whole transaction. Immutable.
 */
public final class Verdict {

    /** The kinds of verdict; see the class comment. */
    public enum Kind { NEXT, ACCEPT, REJECT, TEMPFAIL, DISCARD, QUARANTINE }

    private static final Verdict NEXT = new Verdict(Kind.NEXT, null, null, false);
    private static final Verdict ACCEPT = new Verdict(Kind.ACCEPT, null, null, false);
    private static final Verdict DISCARD = new Verdict(Kind.DISCARD, null, null, false);

    private final Kind kind;
    private final Reply reply;
    private final String reason;
    private final boolean disconnect;

    private Verdict(Kind kind, Reply reply, String reason, boolean disconnect) {
        this.kind = kind;
        this.reply = reply;
        this.reason = reason;
        this.disconnect = disconnect;
    }

    public static Verdict next() {
        return NEXT;
    }

    public static Verdict accept() {
        return ACCEPT;
    }

    /** Refuse permanently: {@code code} must be 5xx and {@code enhancedStatus} of class 5. */
    public static Verdict reject(int code, String enhancedStatus, String text) {
        Reply reply = new Reply(code, enhancedStatus, text);
        if (!reply.isPermanent()) {
            throw new IllegalArgumentException("reject needs a 5xx code, got " + code);
        }
        return new Verdict(Kind.REJECT, reply, null, false);
    }

    /** Refuse permanently with {@code 550 5.7.1 text}. */
    public static Verdict reject(String text) {
        return reject(550, "5.7.1", text);
    }

    /** Refuse for now: {@code code} must be 4xx and {@code enhancedStatus} of class 4. */
    public static Verdict tempfail(int code, String enhancedStatus, String text) {
        Reply reply = new Reply(code, enhancedStatus, text);
        if (!reply.isTransient()) {
            throw new IllegalArgumentException("tempfail needs a 4xx code, got " + code);
        }
        return new Verdict(Kind.TEMPFAIL, reply, null, false);
    }

    /** Refuse for now with {@code 451 4.7.1 text}. */
    public static Verdict tempfail(String text) {
        return tempfail(451, "4.7.1", text);
    }

    /** Refuse with a configured reply: a reject for a 5xx, a tempfail for a 4xx. */
    public static Verdict refuse(Reply reply) {
        return reply.isPermanent()
                ? reject(reply.code(), reply.enhancedStatus(), reply.text())
                : tempfail(reply.code(), reply.enhancedStatus(), reply.text());
    }

    public static Verdict discard() {
        return DISCARD;
    }

    /** Keep the message in quarantine; {@code reason} is stored with it (one line, not shown to the client). */
    public static Verdict quarantine(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank() || reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("quarantine reason must be one non-blank line");
        }
        return new Verdict(Kind.QUARANTINE, null, reason, false);
    }

    /** The same verdict, and close the connection after the reply. Not allowed on {@code next}. */
    public Verdict andDisconnect() {
        if (kind == Kind.NEXT) {
            throw new IllegalStateException("next cannot disconnect: there is no reply to send");
        }
        return new Verdict(kind, reply, reason, true);
    }

    public Kind kind() {
        return kind;
    }

    /** The reply of a reject or tempfail; empty for the other kinds (the core answers those). */
    public Optional<Reply> reply() {
        return Optional.ofNullable(reply);
    }

    /** The quarantine reason; empty for the other kinds. */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    public boolean disconnect() {
        return disconnect;
    }

    /** The lowercase name used in logs, metrics and the capture store: {@code next}, {@code reject}, … */
    public String label() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Verdict v && v.kind == kind && Objects.equals(v.reply, reply)
                && Objects.equals(v.reason, reason) && v.disconnect == disconnect;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, reply, reason, disconnect);
    }

    @Override
    public String toString() {
        return label() + (reply != null ? " " + reply : "") + (reason != null ? " (" + reason + ")" : "")
                + (disconnect ? " and disconnect" : "");
    }
}
