package dev.moat.filters.relayrules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * relay-rules over real sockets: every relay trick of docs/filters/relay-rules.md, as James parses it
 * and the filter then sees it, is refused or taken literally for one of our own domains, and nothing
 * is ever stored or forwarded for a foreign domain.
 */
class RelayRulesEndToEndTest {

    @TempDir
    Path dir;

    private static final String FILTERS = "filters:\n"
            + "  - name: relay\n"
            + "    type: relay-rules\n"
            + "    accepted-domains: [ours.test, \"*.sub.test\", \"[127.0.0.1]\"]\n";

    private static final String CAPTURE = "routes:\n  - domains: [\"*\"]\n    mode: capture\n";

    /** RCPT argument, exact reply, and the recipient as stored if accepted (else null). */
    private record Case(String rcpt, String reply, String stored) {
    }

    private static final String DENIED = "554 5.7.1 Relay access denied";
    private static final String SYNTAX = "553 5.1.3 Syntax error in recipient address";

    /** The relay-trick table of docs/filters/relay-rules.md, for a client outside trusted-networks. */
    private static final List<Case> UNTRUSTED = List.of(
            new Case("<user@ours.test>", "250 2.1.5 Recipient <user@ours.test> OK", "user@ours.test"),
            new Case("<Case@OURS.Test>", "250 2.1.5 Recipient <Case@ours.test> OK", "Case@ours.test"),
            new Case("<user@deep.a.sub.test>", "250 2.1.5 Recipient <user@deep.a.sub.test> OK", "user@deep.a.sub.test"),
            new Case("<user@sub.test>", DENIED, null),
            new Case("<user@other.test>", DENIED, null),
            new Case("<user@ours.test.other.test>", DENIED, null),
            // the % hack and bang paths
            new Case("<user%other.test@ours.test>", DENIED, null),
            new Case("<user%other.test%ours.test@ours.test>", DENIED, null),
            new Case("<other.test!user@ours.test>", DENIED, null),
            // quoted and escaped local parts hiding another address
            new Case("<\"user@other.test\"@ours.test>", DENIED, null),
            new Case("<\"user%other.test\"@ours.test>", DENIED, null),
            new Case("<\"other.test!user\"@ours.test>", DENIED, null),
            new Case("<user\\@other.test@ours.test>", DENIED, null),
            new Case("<\"user\"@ours.test>", "250 2.1.5 Recipient <\"user\"@ours.test> OK", "\"user\"@ours.test"),
            // source routes: James refuses them before any filter runs
            new Case("<@ours.test:user@other.test>", SYNTAX, null),
            new Case("<@ours.test,@sub.test:user@other.test>", SYNTAX, null),
            // trailing dot: James refuses it (relay-rules would too)
            new Case("<user@ours.test.>", SYNTAX, null),
            new Case("<user@other.test.>", SYNTAX, null),
            // address literals: James drops the brackets (and its reply shows them dropped); Moat puts
            // them back for a dotted quad, so the filter sees a literal; only a listed literal passes
            new Case("<user@[192.0.2.1]>", DENIED, null),
            new Case("<user@192.0.2.1>", DENIED, null),
            new Case("<user@[127.0.0.1]>", "250 2.1.5 Recipient <user@127.0.0.1> OK", "user@[127.0.0.1]"),
            new Case("<user@127.0.0.1>", "250 2.1.5 Recipient <user@127.0.0.1> OK", "user@[127.0.0.1]"),
            new Case("<user@[127.0.0.1]junk>", "250 2.1.5 Recipient <user@127.0.0.1> OK", "user@[127.0.0.1]"),
            new Case("<user%other.test@[127.0.0.1]>", DENIED, null),
            new Case("<user@[IPv6:::1]>", SYNTAX, null),
            new Case("<user@[ours.test]>", SYNTAX, null),
            // other shapes
            new Case("<user@bücher.test>", SYNTAX, null),
            new Case("<user@xn--bcher-kva.test>", DENIED, null),
            new Case("<postmaster>", DENIED, null));

    @Test
    void relayTricksFromAnUntrustedClientAreRefusedAndNothingForeignIsStored() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml(FILTERS + CAPTURE).start()) {
            List<String> expectedStored = runTable(gw, UNTRUSTED);
            List<StoredMessage> stored = gw.capture().list();
            assertEquals(1, stored.size());
            CapturedEnvelope envelope = gw.capture().readEnvelope(stored.get(0).id());
            assertEquals(expectedStored, envelope.recipients());
            for (String r : envelope.recipients()) {
                String domain = r.substring(r.lastIndexOf('@') + 1);
                assertTrue(domain.equals("ours.test") || domain.endsWith(".sub.test") || domain.equals("[127.0.0.1]"), r);
            }
        }
    }

    @Test
    void trustedClientsRelayToForeignDomainsButNotThroughTricks() throws Exception {
        String yaml = FILTERS + "    trusted-networks: [127.0.0.0/8, \"::1\"]\n" + CAPTURE;
        List<Case> table = List.of(
                new Case("<user@other.test>", "250 2.1.5 Recipient <user@other.test> OK", "user@other.test"),
                new Case("<user@ours.test>", "250 2.1.5 Recipient <user@ours.test> OK", "user@ours.test"),
                new Case("<user%other.test@ours.test>", DENIED, null),
                new Case("<other.test!user@ours.test>", DENIED, null),
                new Case("<\"user@other.test\"@ours.test>", DENIED, null),
                new Case("<user@192.0.2.1>", DENIED, null),
                new Case("<user@[192.0.2.1]>", DENIED, null));
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start()) {
            List<String> expected = runTable(gw, table);
            CapturedEnvelope envelope = gw.capture().readEnvelope(gw.capture().list().get(0).id());
            assertEquals(expected, envelope.recipients());
        }
    }

    @Test
    void theReplyIsConfigurable() throws Exception {
        String yaml = FILTERS + "    reply-code: 550\n    reply-status: \"5.7.27\"\n    reply-text: \"Not our domain\"\n" + CAPTURE;
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("550 5.7.27 Not our domain", c.command("RCPT TO:<user@other.test>"));
            assertEquals("550 5.7.27 Not our domain", c.command("RCPT TO:<user%other.test@ours.test>"));
        }
    }

    /**
     * With an inline smarthost route to a downstream that would relay anything, the tricks never reach
     * it: Moat mirrors a RCPT to the next hop only after relay-rules accepted it.
     */
    @Test
    void relayTricksNeverReachAPermissiveDownstream() throws Exception {
        try (FakeNextHop downstream = new FakeNextHop()) {
            String yaml = FILTERS + "routes:\n  - domains: [\"*\"]\n    mode: inline\n"
                    + "    next-hops: [\"smtp://127.0.0.1:" + downstream.port() + "\"]\n    tls: {mode: none}\n";
            try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
                c.lastLine();
                c.command("EHLO client.test");
                c.command("MAIL FROM:<a@x.test>");
                List<String> accepted = new ArrayList<>();
                for (Case k : UNTRUSTED) {
                    String reply = c.command("RCPT TO:" + k.rcpt());
                    if (k.stored() != null) {
                        assertTrue(reply.startsWith("250"), k.rcpt() + " -> " + reply);
                        accepted.add(k.stored());
                    } else {
                        assertFalse(reply.startsWith("2"), k.rcpt() + " -> " + reply);
                    }
                }
                assertEquals("354", c.command("DATA").substring(0, 3));
                assertTrue(c.command("Subject: t\r\n\r\nbody\r\n.").startsWith("250"));
                c.command("QUIT");
                List<String> rcpts = downstream.commands().stream().filter(l -> l.startsWith("RCPT")).toList();
                // Each accepted RCPT is mirrored once, as the filter saw it; nothing else arrives.
                assertEquals(accepted.stream().distinct().map(a -> "RCPT TO:<" + a + ">").toList(), rcpts);
            }
        }
    }

    /** The recipe of the doc page for RFC 5321's bare {@code <postmaster>}. */
    @Test
    void postmasterWithoutDomainCanBeAcceptedAlone() throws Exception {
        String yaml = "filters:\n"
                + "  - {name: local, type: recipient-check, domains: [localhost], recipients: [postmaster@localhost]}\n"
                + "  - {name: relay, type: relay-rules, accepted-domains: [ours.test, localhost]}\n" + CAPTURE;
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@x.test>");
            assertEquals("250 2.1.5 Recipient <postmaster@localhost> OK", c.command("RCPT TO:<postmaster>"));
            assertEquals("250 2.1.5 Recipient <Postmaster@localhost> OK", c.command("RCPT TO:<Postmaster@localhost>"));
            assertEquals("550 5.1.1 <root@localhost>: Recipient address rejected: User unknown", c.command("RCPT TO:<root>"));
            assertEquals("550 5.1.1 <root@localhost>: Recipient address rejected: User unknown", c.command("RCPT TO:<root@localhost>"));
        }
    }

    /** The example of docs/filters/relay-rules.md starts and refuses a foreign recipient. */
    @Test
    void theDocumentedExampleWorks() throws Exception {
        String yaml = docExample(Path.of("../../docs/filters/relay-rules.md"));
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@x.test>");
            assertEquals(DENIED, c.command("RCPT TO:<user@other.test>"));
            assertEquals(DENIED, c.command("RCPT TO:<user%other.test@example.com>"));
        }
    }

    /** The first YAML block after "## Example" in a doc page. */
    static String docExample(Path page) throws java.io.IOException {
        String text = java.nio.file.Files.readString(page);
        int example = text.indexOf("## Example");
        int start = text.indexOf("```yaml\n", example) + "```yaml\n".length();
        return text.substring(start, text.indexOf("```", start));
    }

    /** Runs the table over one connection, then sends a message; returns the expected stored recipients. */
    private static List<String> runTable(TestGateway gw, List<Case> table) throws Exception {
        List<String> stored = new ArrayList<>();
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            for (Case k : table) {
                assertEquals(k.reply(), c.command("RCPT TO:" + k.rcpt()), k.rcpt());
                if (k.stored() != null && !stored.contains(k.stored())) {
                    stored.add(k.stored());
                }
            }
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            assertTrue(c.command("Subject: t\r\n\r\nbody\r\n.").startsWith("250 2.0.0 Ok: queued as "));
            c.command("QUIT");
        }
        return stored;
    }
}
