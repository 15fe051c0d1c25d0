package dev.moat.filters.sizelimit;

import dev.moat.filter.Address;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.MailContext;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Reply;
import dev.moat.filter.SessionInfo;
import dev.moat.filter.Verdict;
import java.io.InputStream;
import java.util.Optional;

/**
 * Message size limits per listener, sender domain and recipient domain (the smallest that applies
 * wins), checked against the client's {@code SIZE=} declaration at MAIL FROM and RCPT TO, and against
 * the real size at the end of DATA; plus limits on the header section's size and field count.
 * Immutable, so one instance serves all connections.
 */
final class SizeLimitFilter implements Filter {

    /** No limit. */
    static final long NONE = Long.MAX_VALUE;

    private final long max;
    private final DomainLimits perListener;
    private final DomainLimits perSenderDomain;
    private final DomainLimits perRecipientDomain;
    private final long maxHeaderSize;
    private final long maxHeaderFields;
    private final Reply sizeReply;
    private final Reply headerSizeReply;
    private final Reply headerFieldsReply;

    SizeLimitFilter(long max, DomainLimits perListener, DomainLimits perSenderDomain, DomainLimits perRecipientDomain,
            long maxHeaderSize, long maxHeaderFields, Reply sizeReply, Reply headerSizeReply, Reply headerFieldsReply) {
        this.max = max;
        this.perListener = perListener;
        this.perSenderDomain = perSenderDomain;
        this.perRecipientDomain = perRecipientDomain;
        this.maxHeaderSize = maxHeaderSize;
        this.maxHeaderFields = maxHeaderFields;
        this.sizeReply = sizeReply;
        this.headerSizeReply = headerSizeReply;
        this.headerFieldsReply = headerFieldsReply;
    }

    @Override
    public Verdict mailFrom(MailContext context) {
        long limit = transactionLimit(context.session(), context.sender());
        long declared = declaredSize(context.envelope().mailParameters().get("SIZE"));
        return declared > limit ? refuse(sizeReply) : Verdict.next();
    }

    @Override
    public Verdict rcptTo(RcptContext context) {
        long declared = declaredSize(context.envelope().mailParameters().get("SIZE"));
        if (declared < 0) {
            return Verdict.next();
        }
        long limit = perRecipientDomain.limitFor(context.recipient().domain());
        return declared > limit ? refuse(sizeReply) : Verdict.next();
    }

    @Override
    public Verdict data(DataContext context) throws Exception {
        long limit = transactionLimit(context.session(), context.envelope().sender());
        for (Address recipient : context.envelope().recipients()) {
            limit = Math.min(limit, perRecipientDomain.limitFor(recipient.domain()));
        }
        if (context.message().size() > limit) {
            return refuse(sizeReply);
        }
        if (maxHeaderSize != NONE || maxHeaderFields != NONE) {
            HeaderSection header;
            try (InputStream in = context.message().openStream()) {
                header = HeaderSection.measure(in, maxHeaderSize, maxHeaderFields);
            }
            if (header.bytes() > maxHeaderSize) {
                return refuse(headerSizeReply);
            }
            if (header.fields() > maxHeaderFields) {
                return refuse(headerFieldsReply);
            }
        }
        return Verdict.next();
    }

    /** The smallest of the global, listener and sender-domain limits. */
    private long transactionLimit(SessionInfo session, Optional<Address> sender) {
        long limit = Math.min(max, perListener.limitFor(session.listener()));
        if (sender.isPresent()) {
            limit = Math.min(limit, perSenderDomain.limitFor(sender.get().domain()));
        }
        return limit;
    }

    /** The SIZE= value in octets, or -1 if absent or not a number (the core has validated it already). */
    static long declaredSize(String value) {
        if (value == null || value.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        return value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
    }

    private static Verdict refuse(Reply reply) {
        return Verdict.refuse(reply);
    }
}
