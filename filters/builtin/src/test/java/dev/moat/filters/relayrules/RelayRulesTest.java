package dev.moat.filters.relayrules;

import static dev.moat.filter.testkit.VerdictAssertions.assertAccept;
import static dev.moat.filter.testkit.VerdictAssertions.assertReject;
import static dev.moat.filter.testkit.VerdictAssertions.assertTempfail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Verdict;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.TestSession;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Table-driven unit tests of relay-rules through the test kit. */
class RelayRulesTest {

    private static final String OUTSIDE = "198.51.100.7";
    private static final String INSIDE_V4 = "10.1.2.3";
    private static final String INSIDE_V6 = "2001:db8:1::25";

    private static Map<String, Object> settings() {
        Map<String, Object> s = new HashMap<>();
        s.put("accepted-domains", List.of("ours.test", "*.sub.test", "[192.0.2.25]", "[IPv6:2001:db8::25]", "Bücher.test"));
        s.put("trusted-networks", List.of("10.0.0.0/8", "2001:db8:1::/48", "192.0.2.99"));
        return s;
    }

    private static Verdict rcpt(Map<String, Object> settings, String clientIp, String user, String recipient) {
        try (FilterHarness h = FilterHarness.of(new RelayRulesFactory(), settings)) {
            h.session(TestSession.builder().clientIp(clientIp).user(user.isEmpty() ? null : user).build());
            h.connect();
            h.helo("client.example");
            h.mailFrom("sender@elsewhere.test");
            return h.rcptTo(recipient).verdict();
        }
    }

    @ParameterizedTest(name = "{0} from {1} (user ''{2}'') -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # recipient                      | client        | user  | expected
            user@ours.test                   | 198.51.100.7  |       | accept
            USER@OURS.TEST                   | 198.51.100.7  |       | accept
            user@Ours.Test                   | 198.51.100.7  |       | accept
            user@a.sub.test                  | 198.51.100.7  |       | accept
            user@a.b.SUB.test                | 198.51.100.7  |       | accept
            user@sub.test                    | 198.51.100.7  |       | deny
            user@xsub.test                   | 198.51.100.7  |       | deny
            user@ours.test.evil.test         | 198.51.100.7  |       | deny
            user@evil-ours.test              | 198.51.100.7  |       | deny
            user@xn--bcher-kva.test          | 198.51.100.7  |       | accept
            user@other.test                  | 198.51.100.7  |       | deny
            user@other.test                  | 10.1.2.3      |       | accept
            user@other.test                  | 192.0.2.99    |       | accept
            user@other.test                  | 192.0.2.98    |       | deny
            user@other.test                  | 2001:db8:1::25 |      | accept
            user@other.test                  | 2001:db8:2::25 |      | deny
            user@other.test                  | ::ffff:10.9.9.9 |     | accept
            user@other.test                  | 198.51.100.7  | alice | accept
            # relay tricks: refused for everyone, trusted and authenticated clients too
            user%other.test@ours.test        | 198.51.100.7  |       | deny
            user%other.test@ours.test        | 10.1.2.3      | alice | deny
            other.test!user@ours.test        | 198.51.100.7  |       | deny
            other.test!user@ours.test        | 10.1.2.3      |       | deny
            "user@other.test"@ours.test      | 198.51.100.7  |       | deny
            "user%other.test"@ours.test      | 10.1.2.3      |       | deny
            user\\@other.test@ours.test      | 198.51.100.7  |       | deny
            user@ours.test.                  | 198.51.100.7  |       | deny
            user@ours.test.                  | 10.1.2.3      |       | deny
            user@[192.0.2.25]                | 198.51.100.7  |       | accept
            user@192.0.2.25                  | 198.51.100.7  |       | accept
            user%other.test@[192.0.2.25]     | 198.51.100.7  |       | deny
            user@[192.0.2.26]                | 198.51.100.7  |       | deny
            user@192.0.2.26                  | 198.51.100.7  |       | deny
            user@192.0.2.26                  | 10.1.2.3      |       | deny
            user@[IPv6:2001:db8::25]         | 198.51.100.7  |       | accept
            user@[IPv6:2001:DB8:0::25]       | 198.51.100.7  |       | accept
            user@[IPv6:2001:db8::26]         | 198.51.100.7  |       | deny
            user@[ours.test]                 | 10.1.2.3      |       | deny
            user@1.2.3                       | 10.1.2.3      |       | deny
            user@ours..test                  | 10.1.2.3      |       | deny
            # a plain quoted local part is harmless
            "user"@ours.test                 | 198.51.100.7  |       | accept
            """)
    void decides(String recipient, String client, String user, String expected) {
        Verdict v = rcpt(settings(), client, user == null ? "" : user, recipient);
        if (expected.equals("accept")) {
            assertAccept(v);
        } else {
            assertReject(v, 554, "5.7.1", "Relay access denied");
        }
    }

    @Test
    void authenticatedClientsMayBeBarredFromRelaying() {
        Map<String, Object> s = settings();
        s.put("authenticated-may-relay", "false");
        assertReject(rcpt(s, OUTSIDE, "alice", "user@other.test"), 554, "5.7.1");
        assertAccept(rcpt(s, OUTSIDE, "alice", "user@ours.test"));
        assertAccept(rcpt(s, INSIDE_V4, "alice", "user@other.test"));
    }

    @Test
    void replyIsConfigurable() {
        Map<String, Object> s = settings();
        s.put("reply-code", 550);
        s.put("reply-status", "5.7.27");
        s.put("reply-text", "Relaying not permitted here");
        assertReject(rcpt(s, OUTSIDE, "", "user@other.test"), 550, "5.7.27", "Relaying not permitted here");
        s.put("reply-code", "450");
        s.put("reply-status", "4.7.1");
        assertTempfail(rcpt(s, OUTSIDE, "", "user@other.test"), 450, "4.7.1", "Relaying not permitted here");
    }

    @Test
    void withoutAcceptedDomainsOnlyTrustedClientsRelay() {
        Map<String, Object> s = Map.of("trusted-networks", List.of("10.0.0.0/8"));
        assertReject(rcpt(s, OUTSIDE, "", "user@ours.test"), 554, "5.7.1");
        assertAccept(rcpt(s, INSIDE_V4, "", "user@ours.test"));
        assertAccept(rcpt(s, INSIDE_V4, "", "x@y.test"));
        assertReject(rcpt(s, INSIDE_V6, "", "x@y.test"), 554, "5.7.1");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            accepted-domains        | *                   | open relay
            accepted-domains        | example.com.        | not a domain name
            accepted-domains        | exa mple.com        | not a domain name
            accepted-domains        | *.                  | not a wildcard
            accepted-domains        | [300.1.1.1]         | not an address literal
            accepted-domains        | [IPv6:zz::1]        | not an address literal
            accepted-domains        | 192.0.2.1           | not a domain name
            trusted-networks        | 10.0.0.0/33         | prefix length
            trusted-networks        | 10.0.0.1/8          | did you mean 10.0.0.0/8
            trusted-networks        | 2001:db8::1/32      | did you mean 2001:db8:0:0:0:0:0:0/32
            trusted-networks        | mail.example.com    | not an IP address
            trusted-networks        | fe80::1%eth0        | not an IP address
            authenticated-may-relay | maybe               | not true or false
            reply-code              | 250                 | not a 4xx or 5xx
            reply-code              | 450                 | does not match the reply code 450
            reply-status            | 5.7                 | not an enhanced status code
            reply-text              | tab\there           | printable ASCII
            """)
    void badSettingsFailStartUpNamingTheKey(String key, String value, String reason) {
        Map<String, Object> s = settings();
        s.put(key, key.endsWith("domains") || key.endsWith("networks") ? List.of(value) : value.replace("\\t", "\t"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> FilterHarness.of(new RelayRulesFactory(), s));
        assertEquals(key.equals("reply-code") && value.equals("450") ? "reply-status" : key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void unknownSettingFailsStartUp() {
        Map<String, Object> s = settings();
        s.put("accepted-domain", List.of("typo.test"));
        assertEquals("accepted-domain",
                assertThrows(InvalidSettingException.class, () -> FilterHarness.of(new RelayRulesFactory(), s)).key());
    }

    @Test
    void otherStagesHaveNoOpinion() {
        try (FilterHarness h = FilterHarness.of(new RelayRulesFactory(), settings())) {
            assertEquals(Verdict.next(), h.connect());
            assertEquals(Verdict.next(), h.helo("client.example"));
            assertEquals(Verdict.next(), h.mailFrom("anyone@anywhere.test").verdict());
            assertAccept(h.rcptTo("user@ours.test").verdict());
            assertEquals(Verdict.next(), h.data("Subject: x\n\nbody\n").verdict());
        }
    }
}
