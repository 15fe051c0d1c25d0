package dev.moat.filters.addressrewrite;

import dev.moat.filter.Address;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.Header;
import dev.moat.filter.HeaderMutations;
import dev.moat.filter.MailContext;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Postfix {@code canonical}/{@code virtual}-style address rewriting (type {@code address-rewrite}; see
 * {@code docs/filters/address-rewrite.md}): the envelope sender at MAIL FROM, each recipient at RCPT
 * TO, and the addresses in selected header fields at DATA. For each address the first rule whose
 * scope and side fit and whose match matches decides; the result is not rewritten again. Always
 * answers {@code next}. Immutable and thread-safe.
 */
final class AddressRewriteFilter implements Filter {

    private static final System.Logger LOG = System.getLogger(AddressRewriteFilter.class.getName());

    /** Header fields that carry sender addresses; rules with applies-to=sender rewrite them. */
    static final Set<String> SENDER_FIELDS = Set.of("from", "sender", "reply-to", "resent-from", "resent-sender",
            "resent-reply-to", "return-path", "errors-to");
    /** Header fields that carry recipient addresses; rules with applies-to=recipients rewrite them. */
    static final Set<String> RECIPIENT_FIELDS = Set.of("to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc",
            "delivered-to", "x-original-to");

    private final String name;
    private final List<Rule> rules;
    private final List<String> headerNames;
    private final boolean rewritesEnvelope;
    private final boolean rewritesHeaders;

    AddressRewriteFilter(String name, List<Rule> rules, List<String> headerNames) {
        this.name = name;
        this.rules = List.copyOf(rules);
        this.headerNames = List.copyOf(headerNames);
        this.rewritesEnvelope = rules.stream().anyMatch(r -> r.scope().envelope());
        this.rewritesHeaders = rules.stream().anyMatch(r -> r.scope().headers());
    }

    @Override
    public Verdict mailFrom(MailContext context) {
        if (rewritesEnvelope) {
            Optional<Address> sender = context.sender();
            if (sender.isPresent()) { // the null sender <> is never rewritten
                Address rewritten = rewrite(sender.get(), true, Rule.Side.SENDER);
                if (rewritten != null) {
                    context.rewriteSender(Optional.of(rewritten));
                }
            }
        }
        return Verdict.next();
    }

    @Override
    public Verdict rcptTo(RcptContext context) {
        if (rewritesEnvelope) {
            Address rewritten = rewrite(context.recipient(), true, Rule.Side.RECIPIENTS);
            if (rewritten != null) {
                context.rewriteRecipient(rewritten);
            }
        }
        return Verdict.next();
    }

    @Override
    public Verdict data(DataContext context) throws IOException {
        if (!rewritesHeaders) {
            return Verdict.next();
        }
        HeaderMutations mutations = context.headers();
        for (String field : headerNames) {
            List<Header> present = context.message().headers(field);
            if (present.isEmpty()) {
                continue;
            }
            Rule.Side side = sideOf(field);
            List<Header> result = new ArrayList<>(present.size());
            boolean changed = false;
            for (Header header : present) {
                String value = header.value();
                String rewritten = isAscii(value) ? AddressList.rewrite(value, a -> rewrite(a, false, side)) : value;
                changed |= !rewritten.equals(value);
                result.add(rewritten.equals(value) ? header : new Header(header.name(), rewritten));
            }
            if (!changed) {
                continue; // untouched fields stay where and as they are, byte for byte
            }
            if (result.size() == 1) {
                mutations.replace(result.get(0));
            } else {
                // Several fields of this name (malformed, but seen): keep them all, in their order.
                mutations.remove(field);
                result.forEach(mutations::add);
            }
        }
        return Verdict.next();
    }

    /**
     * The address the first fitting rule makes of {@code address}, or null if no rule matches or the
     * result is unchanged or unusable (a regular expression's result that is not an address: logged,
     * the address stays as it was).
     */
    private Address rewrite(Address address, boolean envelope, Rule.Side side) {
        for (Rule rule : rules) {
            if (!(envelope ? rule.scope().envelope() : rule.scope().headers()) || !rule.side().covers(side)) {
                continue;
            }
            Address result;
            try {
                result = rule.apply(address);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "address-rewrite {0}: rule ''{1}'' made no valid address of {2}: {3}; left unchanged",
                        name, rule, address, e.getMessage());
                return null;
            }
            if (result != null) {
                return result.toString().equals(address.toString()) ? null : result;
            }
        }
        return null;
    }

    private static Rule.Side sideOf(String field) {
        String lower = field.toLowerCase(Locale.ROOT);
        if (SENDER_FIELDS.contains(lower)) {
            return Rule.Side.SENDER;
        }
        if (RECIPIENT_FIELDS.contains(lower)) {
            return Rule.Side.RECIPIENTS;
        }
        return Rule.Side.BOTH;
    }

    /**
     * Header values with 8-bit characters are left alone: the core reads header fields as ISO-8859-1
     * but writes added ones as UTF-8, so a rewritten field would have its 8-bit bytes changed (see
     * docs/filters/address-rewrite.md).
     */
    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
