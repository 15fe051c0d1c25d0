package dev.moat.core.chain;

import static dev.moat.core.chain.ChainTestSupport.afterReceived;
import static dev.moat.core.chain.ChainTestSupport.data;
import static dev.moat.core.chain.ChainTestSupport.eml;
import static dev.moat.core.chain.ChainTestSupport.json;
import static dev.moat.core.chain.ChainTestSupport.only;
import static dev.moat.core.chain.ChainTestSupport.open;
import static dev.moat.core.chain.ChainTestSupport.queuedId;
import static dev.moat.core.chain.ChainTestSupport.texts;
import static dev.moat.core.chain.ChainTestSupport.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.Address;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.Header;
import dev.moat.filter.MailContext;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Header and envelope mutations as stored: Received first, then the added fields, then the original
 * fields minus the removed ones, and the body byte for byte; rewritten and edited envelopes in the JSON.
 */
class MutationsOnTheWireTest {

    /** The original header: two X-Remove-Me fields (one folded), a Subject to replace. */
    private static final String HEADER = "From: Alice <a@x.test>\r\n"
            + "X-Remove-Me: first\r\n"
            + "Subject: original subject\r\n"
            + "To: b@y.test\r\n"
            + "x-remove-me: second,\r\n"
            + "\tfolded\r\n"
            + "Date: Sat, 28 Nov 2026 20:00:00 +0000\r\n";

    /** A body with things that look like header fields and a dot line (sent stuffed). */
    private static final String BODY = "\r\n"
            + "Subject: not a header, body text\r\n"
            + "X-Remove-Me: stays, it is body\r\n"
            + ".leading dot\r\n"
            + "\r\n"
            + "caf\u00e9 8-bit \u00ff\r\n";

    @TempDir
    Path dir;

    private TestGateway start(String yaml, FilterFactory... types) throws Exception {
        TestGateway.Builder b = TestGateway.builder(dir).filterType(ScriptedFilter.factory());
        for (FilterFactory t : types) {
            b.filterType(t);
        }
        return b.yaml(yaml).start();
    }

    private static String stuffed(String message) {
        return message.replace("\r\n.", "\r\n..");
    }

    @Test
    void headerEditsComeBelowReceivedAndTheBodyIsUntouched() throws Exception {
        Filter edits = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.headers().add(new Header("X-Moat-Test", "yes"));
                context.headers().remove("X-Remove-Me");
                context.headers().replace(new Header("Subject", "replaced subject"));
                return Verdict.next();
            }
        };
        try (TestGateway gw = start("filters:\n  - {name: edit, type: edits}\n", ChainTestSupport.type("edits", edits));
                RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), stuffed(HEADER + BODY)));
            StoredMessage m = only(gw.capture(), id);
            String expected = "X-Moat-Test: yes\r\n"
                    + "Subject: replaced subject\r\n"
                    + "From: Alice <a@x.test>\r\n"
                    + "To: b@y.test\r\n"
                    + "Date: Sat, 28 Nov 2026 20:00:00 +0000\r\n"
                    + BODY;
            assertEquals(expected, afterReceived(eml(m), id, "b@y.test"));
            assertEquals(m.size(), json(m).get("size").asLong());
        }
    }

    @Test
    void withoutEditsTheMessageIsStoredExactlyAsReceived() throws Exception {
        Filter noEdits = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                return Verdict.next();
            }
        };
        try (TestGateway gw = start("filters:\n  - {name: none, type: none}\n", ChainTestSupport.type("none", noEdits));
                RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), stuffed(HEADER + BODY)));
            assertEquals(HEADER + BODY, afterReceived(eml(only(gw.capture(), id)), id, "b@y.test"));
        }
    }

    @Test
    void aLongAddedHeaderIsFoldedAtWhiteSpaceAndUnfoldsToTheValue() throws Exception {
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            value.append("word").append(i).append(' ');
        }
        value.append("end");
        Filter longHeader = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.headers().add(new Header("X-Long", value.toString()));
                return Verdict.next();
            }
        };
        try (TestGateway gw = start("filters:\n  - {name: long, type: long}\n", ChainTestSupport.type("long", longHeader));
                RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), "Subject: s\r\n\r\nbody\r\n"));
            String rest = afterReceived(eml(only(gw.capture(), id)), id, "b@y.test");
            assertTrue(rest.endsWith("\r\nSubject: s\r\n\r\nbody\r\n"), rest);
            String field = rest.substring(0, rest.indexOf("\r\nSubject: s\r\n") + 2);
            String[] lines = field.split("\r\n");
            assertTrue(lines.length > 1, "not folded: " + field);
            assertTrue(lines[0].startsWith("X-Long: word0 "), field);
            for (int i = 0; i < lines.length; i++) {
                assertTrue(lines[i].length() <= 78, "line longer than 78: " + lines[i]);
                if (i > 0) {
                    assertTrue(lines[i].startsWith(" "), "continuation must start with white space: " + lines[i]);
                }
            }
            assertEquals("X-Long: " + value, field.replace("\r\n", ""));
        }
    }

    @Test
    void senderAndRecipientRewritesShowInTheJsonTheReceivedHeaderAndLaterFilters() throws Exception {
        List<String> seenByLaterRcptFilter = new CopyOnWriteArrayList<>();
        List<String> seenAtData = new CopyOnWriteArrayList<>();
        Filter rewriter = new Filter() {
            @Override
            public Verdict mailFrom(MailContext context) {
                context.rewriteSender(Optional.of(Address.parse("rewritten@x.test")));
                return Verdict.next();
            }

            @Override
            public Verdict rcptTo(RcptContext context) {
                if (context.recipient().equals(Address.parse("old@y.test"))) {
                    context.rewriteRecipient(Address.parse("new@y.test"));
                }
                return Verdict.next();
            }
        };
        Filter observer = new Filter() {
            @Override
            public Verdict rcptTo(RcptContext context) {
                seenByLaterRcptFilter.add(context.recipient() + " sender=" + context.envelope().sender().orElseThrow());
                return Verdict.next();
            }

            @Override
            public Verdict data(DataContext context) {
                seenAtData.add(context.envelope().sender().orElseThrow() + " " + context.envelope().recipients());
                return Verdict.next();
            }
        };
        String yaml = "filters:\n  - {name: rw, type: rewriter}\n  - {name: obs, type: observer}\n";
        try (TestGateway gw = start(yaml, ChainTestSupport.type("rewriter", rewriter), ChainTestSupport.type("observer", observer));
                RawSmtp c = open(gw.port())) {
            assertEquals("250 2.1.0 Sender <orig@x.test> OK", c.command("MAIL FROM:<orig@x.test>"));
            assertEquals("250 2.1.5 Recipient <old@y.test> OK", c.command("RCPT TO:<old@y.test>"));
            String id = queuedId(data(c, "Subject: rw\r\n\r\nbody\r\n"));
            StoredMessage m = only(gw.capture(), id);
            JsonNode env = json(m);
            assertEquals("rewritten@x.test", env.get("sender").asText());
            assertEquals(List.of("new@y.test"), texts(env.get("recipients")));
            assertEquals("Subject: rw\r\n\r\nbody\r\n", afterReceived(eml(m), id, "new@y.test"));
            assertEquals(List.of("new@y.test sender=rewritten@x.test"), seenByLaterRcptFilter);
            assertEquals(List.of("rewritten@x.test [new@y.test]"), seenAtData);
        }
    }

    @Test
    void rewritingTheSenderToTheNullSenderStoresAnEmptySender() throws Exception {
        Filter toNull = new Filter() {
            @Override
            public Verdict mailFrom(MailContext context) {
                context.rewriteSender(Optional.empty());
                return Verdict.next();
            }
        };
        try (TestGateway gw = start("filters:\n  - {name: n, type: to-null}\n", ChainTestSupport.type("to-null", toNull));
                RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), "Subject: n\r\n\r\nx\r\n"));
            assertEquals("", json(only(gw.capture(), id)).get("sender").asText());
        }
    }

    @Test
    void dataStageEnvelopeEditsShowInTheJson() throws Exception {
        Filter envelope = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.envelopeMutations().addRecipient(Address.parse("added@z.test"));
                context.envelopeMutations().removeRecipient(Address.parse("gone@y.test"));
                context.envelopeMutations().addRecipient(Address.parse("b@y.test")); // already there: ignored
                context.envelopeMutations().setSender(Optional.of(Address.parse("new-sender@x.test")));
                return Verdict.next();
            }
        };
        try (TestGateway gw = start("filters:\n  - {name: env, type: env}\n", ChainTestSupport.type("env", envelope));
                RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test", "gone@y.test"), "Subject: e\r\n\r\nx\r\n"));
            StoredMessage m = only(gw.capture(), id);
            JsonNode env = json(m);
            assertEquals(List.of("b@y.test", "added@z.test"), texts(env.get("recipients")));
            assertEquals("new-sender@x.test", env.get("sender").asText());
            assertEquals("Subject: e\r\n\r\nx\r\n", afterReceived(eml(m), id, null), "two recipients: no 'for' clause");
        }
    }

    @Test
    void removingEveryRecipientAtDataIsADiscard() throws Exception {
        Filter removeAll = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.envelope().recipients().forEach(context.envelopeMutations()::removeRecipient);
                context.headers().add(new Header("X-Ignored", "1"));
                return Verdict.next();
            }
        };
        try (TestGateway gw = start("limits: {memory-buffer: 0}\nfilters:\n  - {name: rm, type: remove-all}\n",
                ChainTestSupport.type("remove-all", removeAll)); RawSmtp c = open(gw.port())) {
            queuedId(transaction(c, "a@x.test", List.of("b@y.test", "c@y.test"), "Subject: r\r\n\r\nx\r\n"));
            assertEquals(List.of(), gw.capture().list());
            assertEquals(List.of(), gw.quarantine().list());
            assertEquals(0, gw.spoolFiles());
        }
    }

    @Test
    void editsOfAFilterApplyWhenALaterFilterQuarantines() throws Exception {
        Filter tagger = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.headers().add(new Header("X-Spam-Flag", "YES"));
                context.envelopeMutations().addRecipient(Address.parse("review@y.test"));
                return Verdict.next();
            }
        };
        String yaml = "filters:\n  - {name: tag, type: tagger}\n  - {name: q, type: scripted, data: \"quarantine spam\"}\n";
        try (TestGateway gw = start(yaml, ChainTestSupport.type("tagger", tagger)); RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), "Subject: q\r\n\r\nx\r\n"));
            StoredMessage m = only(gw.quarantine(), id);
            assertEquals("X-Spam-Flag: YES\r\nSubject: q\r\n\r\nx\r\n", afterReceived(eml(m), id, null));
            assertEquals(List.of("b@y.test", "review@y.test"), texts(json(m).get("recipients")));
            assertEquals(List.of(), gw.capture().list());
        }
    }

    @Test
    void editsAreDroppedWhenALaterFilterRejects() throws Exception {
        Filter tagger = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.headers().add(new Header("X-Tag", "1"));
                return Verdict.next();
            }
        };
        String yaml = "filters:\n  - {name: tag, type: tagger}\n  - {name: r, type: scripted, data: \"reject 554 5.7.1 spam\"}\n";
        try (TestGateway gw = start(yaml, ChainTestSupport.type("tagger", tagger)); RawSmtp c = open(gw.port())) {
            assertEquals("554 5.7.1 spam", transaction(c, "a@x.test", List.of("b@y.test"), "Subject: q\r\n\r\nx\r\n"));
            assertEquals(List.of(), gw.capture().list());
            assertEquals(List.of(), gw.quarantine().list());
        }
    }
}
