package dev.moat.core.message;

import dev.moat.filter.Address;
import dev.moat.filter.TlsInfo;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Moat's trace field (RFC 5321 §4.4, RFC 5322 §3.6.7), e.g.
 * <pre>
 * Received: from client.example ([192.0.2.1])
 *         by mx.example.com (Moat) with ESMTPS id 6f1c2a
 *         (using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)
 *         for &lt;bob@example.com&gt;; Sat, 28 Nov 2026 20:00:00 +0000
 * </pre>
 * No reverse DNS name: looking it up would block, and a name the client chose (HELO) next to the
 * address the connection came from is what a reader needs. The protocol keyword follows RFC 3848.
 */
public final class ReceivedHeader {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private ReceivedHeader() {
    }

    public static String format(Optional<String> helo, boolean extended, String clientIp, String hostname,
            String id, Optional<TlsInfo> tls, boolean authenticated, List<Address> recipients, ZonedDateTime when) {
        return format(helo, extended, clientIp, hostname, id, tls, authenticated, Optional.empty(), recipients, when);
    }

    /**
     * As above; {@code shownUser}, when present, is named as {@code (Authenticated sender: user)} after
     * the client's address (only where the operator chose to reveal it: {@code auth.received-shows-user}).
     */
    public static String format(Optional<String> helo, boolean extended, String clientIp, String hostname,
            String id, Optional<TlsInfo> tls, boolean authenticated, Optional<String> shownUser, List<Address> recipients,
            ZonedDateTime when) {
        StringBuilder b = new StringBuilder(256);
        b.append("Received: from ").append(helo.map(ReceivedHeader::clean).orElse("unknown"))
                .append(" ([").append(clientIp).append("])");
        shownUser.ifPresent(u -> b.append(" (Authenticated sender: ").append(clean(u)).append(')'));
        b.append("\r\n");
        b.append("\tby ").append(hostname).append(" (Moat) with ").append(protocol(extended, tls.isPresent(), authenticated))
                .append(" id ").append(id);
        tls.ifPresent(t -> b.append("\r\n\t(using ").append(t.protocol()).append(" with cipher ").append(t.cipherSuite()).append(')'));
        if (recipients.size() == 1) {
            b.append("\r\n\tfor <").append(clean(recipients.get(0).toString())).append('>');
        }
        b.append(";\r\n\t").append(DATE.format(when)).append("\r\n");
        return b.toString();
    }

    static String protocol(boolean extended, boolean tls, boolean authenticated) {
        if (!extended) {
            return "SMTP";
        }
        return "ESMTP" + (tls ? "S" : "") + (authenticated ? "A" : "");
    }

    /** Client-chosen text goes into a header: keep it to printable ASCII without parentheses or separators. */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 255));
        for (int i = 0; i < s.length() && b.length() < 255; i++) {
            char c = s.charAt(i);
            b.append(c > 32 && c < 127 && c != '(' && c != ')' && c != ';' && c != '\\' ? c : '_');
        }
        return b.toString();
    }
}
