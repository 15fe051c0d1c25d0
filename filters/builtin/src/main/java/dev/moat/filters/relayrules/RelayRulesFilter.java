package dev.moat.filters.relayrules;

import dev.moat.filter.Address;
import dev.moat.filter.Filter;
import dev.moat.filter.RcptContext;
import dev.moat.filter.SessionInfo;
import dev.moat.filter.Verdict;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Who may relay where, decided once per RCPT TO (type {@code relay-rules}; see
 * {@code docs/filters/relay-rules.md}).
 *
 * <ol>
 *   <li>A recipient whose domain is not a plain host name or a listed address literal (trailing dot,
 *       unlisted IP address, ...) is refused, whoever the client is.</li>
 *   <li>A recipient in an accepted domain is accepted, unless its local part carries routing
 *       characters ({@code %}, {@code !}, {@code @}, also quoted or escaped): such an address could be
 *       relayed onwards by the downstream MTA (the {@code %} hack, bang paths), so it is refused, whoever
 *       the client is.</li>
 *   <li>Any other recipient is foreign: accepted only for a client in {@code trusted-networks} or, if
 *       {@code authenticated-may-relay}, an authenticated client; otherwise refused.</li>
 * </ol>
 * The filter never answers {@code next}: its verdict is the relay decision. Immutable and thread-safe.
 */
final class RelayRulesFilter implements Filter {

    private final AcceptedDomains acceptedDomains;
    private final TrustedNetworks trustedNetworks;
    private final boolean authenticatedMayRelay;
    private final Verdict denied;

    RelayRulesFilter(AcceptedDomains acceptedDomains, TrustedNetworks trustedNetworks, boolean authenticatedMayRelay,
            Verdict denied) {
        this.acceptedDomains = Objects.requireNonNull(acceptedDomains, "acceptedDomains");
        this.trustedNetworks = Objects.requireNonNull(trustedNetworks, "trustedNetworks");
        this.authenticatedMayRelay = authenticatedMayRelay;
        this.denied = Objects.requireNonNull(denied, "denied");
    }

    @Override
    public Verdict rcptTo(RcptContext context) {
        Address recipient = context.recipient();
        String domain = recipient.domain();
        if (acceptedDomains.accepts(domain)) {
            return hasRoutingCharacters(recipient.localPart()) ? denied : Verdict.accept();
        }
        if (isAddressLiteral(domain) || AcceptedDomains.hostName(domain) == null) {
            return denied; // an unlisted IP address, a trailing dot, not a domain name: for no one
        }
        return mayRelay(context.session()) ? Verdict.accept() : denied;
    }

    private boolean mayRelay(SessionInfo session) {
        InetSocketAddress client = session.clientAddress();
        if (client != null && trustedNetworks.contains(client.getAddress())) {
            return true;
        }
        return authenticatedMayRelay && session.authenticatedUser().isPresent();
    }

    /** {@code [..]}, or a dotted quad (James passes {@code user@[192.0.2.1]} as {@code user@192.0.2.1}). */
    private static boolean isAddressLiteral(String domain) {
        return domain.startsWith("[") || AcceptedDomains.bareIpv4(domain) != null;
    }

    /**
     * True if the local part could route the message further: {@code %} (the percent hack),
     * {@code !} (UUCP bang paths) or {@code @} (a quoted or escaped address inside the local part).
     */
    static boolean hasRoutingCharacters(String localPart) {
        for (int i = 0; i < localPart.length(); i++) {
            char c = localPart.charAt(i);
            if (c == '%' || c == '!' || c == '@') {
                return true;
            }
        }
        return false;
    }
}
