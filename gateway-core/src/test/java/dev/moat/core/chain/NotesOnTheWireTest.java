package dev.moat.core.chain;

import static dev.moat.core.chain.ChainTestSupport.afterReceived;
import static dev.moat.core.chain.ChainTestSupport.data;
import static dev.moat.core.chain.ChainTestSupport.eml;
import static dev.moat.core.chain.ChainTestSupport.open;
import static dev.moat.core.chain.ChainTestSupport.queuedId;
import static dev.moat.core.chain.ChainTestSupport.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.ConnectContext;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.Header;
import dev.moat.filter.MailContext;
import dev.moat.filter.NoteKey;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection notes live as long as the connection; transaction notes end at RSET and after each message. */
class NotesOnTheWireTest {

    private static final NoteKey<String> CLIENT = NoteKey.of("client", String.class);
    private static final NoteKey<Integer> CONNECTION_NUMBER = NoteKey.of("connection", Integer.class);
    private static final NoteKey<String> TX_SENDER = NoteKey.of("tx-sender", String.class);
    /** Same name and type as {@link #TX_SENDER}, but another key: must not see its value. */
    private static final NoteKey<String> TX_SENDER_LOOKALIKE = NoteKey.of("tx-sender", String.class);

    @TempDir
    Path dir;

    @Test
    void aConnectionNoteSetAtConnectIsReadAtDataInEveryTransactionOfThatConnectionOnly() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        Filter filter = new Filter() {
            @Override
            public Verdict connect(ConnectContext context) {
                context.connectionNotes().put(CLIENT, context.session().clientAddress().getAddress().getHostAddress());
                context.connectionNotes().put(CONNECTION_NUMBER, connections.incrementAndGet());
                return Verdict.next();
            }

            @Override
            public Verdict data(DataContext context) {
                context.headers().add(new Header("X-Conn-Note", context.connectionNotes().get(CLIENT).orElse("missing")
                        + " #" + context.connectionNotes().get(CONNECTION_NUMBER).map(String::valueOf).orElse("?")));
                return Verdict.next();
            }
        };
        try (TestGateway gw = TestGateway.builder(dir).filterType(ChainTestSupport.type("notes", filter))
                .yaml("filters:\n  - {name: n, type: notes}\n").start()) {
            String first;
            String second;
            String third;
            try (RawSmtp c = open(gw.port())) {
                first = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), "Subject: 1\r\n\r\nx\r\n"));
                second = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), "Subject: 2\r\n\r\nx\r\n"));
            }
            try (RawSmtp c = open(gw.port())) {
                third = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), "Subject: 3\r\n\r\nx\r\n"));
            }
            assertEquals("X-Conn-Note: 127.0.0.1 #1\r\nSubject: 1\r\n\r\nx\r\n",
                    afterReceived(eml(gw.capture().find(first).orElseThrow()), first, "b@y.test"));
            assertEquals("X-Conn-Note: 127.0.0.1 #1\r\nSubject: 2\r\n\r\nx\r\n",
                    afterReceived(eml(gw.capture().find(second).orElseThrow()), second, "b@y.test"));
            assertEquals("X-Conn-Note: 127.0.0.1 #2\r\nSubject: 3\r\n\r\nx\r\n",
                    afterReceived(eml(gw.capture().find(third).orElseThrow()), third, "b@y.test"));
        }
    }

    @Test
    void aTransactionNoteIsSeenInItsTransactionButNotAfterRsetOrTheNextMessage() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Filter filter = new Filter() {
            @Override
            public Verdict mailFrom(MailContext context) {
                seen.add("mail " + context.sender().orElseThrow() + " sees " + context.transactionNotes().get(TX_SENDER).orElse("-"));
                if (context.sender().orElseThrow().localPart().startsWith("setter")) {
                    context.transactionNotes().put(TX_SENDER, context.sender().orElseThrow().toString());
                }
                return Verdict.next();
            }

            @Override
            public Verdict rcptTo(RcptContext context) {
                seen.add("rcpt sees " + context.transactionNotes().get(TX_SENDER).orElse("-")
                        + " lookalike " + context.transactionNotes().get(TX_SENDER_LOOKALIKE).orElse("-"));
                return Verdict.next();
            }

            @Override
            public Verdict data(DataContext context) {
                seen.add("data sees " + context.transactionNotes().get(TX_SENDER).orElse("-"));
                return Verdict.next();
            }
        };
        try (TestGateway gw = TestGateway.builder(dir).filterType(ChainTestSupport.type("tx-notes", filter))
                .yaml("filters:\n  - {name: n, type: tx-notes}\n").start();
                RawSmtp c = open(gw.port())) {
            c.command("MAIL FROM:<setter1@x.test>");
            c.command("RCPT TO:<b@y.test>");
            assertEquals("250 2.0.0 OK", c.command("RSET"));
            c.command("MAIL FROM:<plain@x.test>");
            c.command("RCPT TO:<b@y.test>");
            c.command("RSET");
            queuedId(transaction(c, "setter2@x.test", List.of("b@y.test"), "Subject: t\r\n\r\nx\r\n"));
            c.command("MAIL FROM:<plain@x.test>");
            c.command("RCPT TO:<b@y.test>");
            queuedId(data(c, "Subject: t\r\n\r\nx\r\n"));
            assertEquals(List.of(
                    "mail setter1@x.test sees -",
                    "rcpt sees setter1@x.test lookalike -",
                    "mail plain@x.test sees -",
                    "rcpt sees - lookalike -",
                    "mail setter2@x.test sees -",
                    "rcpt sees setter2@x.test lookalike -",
                    "data sees setter2@x.test",
                    "mail plain@x.test sees -",
                    "rcpt sees - lookalike -",
                    "data sees -"), seen);
            assertEquals(2, gw.capture().list().size());
        }
    }

    @Test
    void aTransactionNoteSetByAMailFromThatWasRefusedDoesNotLeakIntoTheNextMail() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Filter filter = new Filter() {
            @Override
            public Verdict mailFrom(MailContext context) {
                seen.add(context.transactionNotes().get(TX_SENDER).orElse("-"));
                context.transactionNotes().put(TX_SENDER, "set");
                return context.sender().orElseThrow().localPart().equals("bad") ? Verdict.reject("no") : Verdict.next();
            }
        };
        try (TestGateway gw = TestGateway.builder(dir).filterType(ChainTestSupport.type("tx-notes", filter))
                .yaml("filters:\n  - {name: n, type: tx-notes}\n").start();
                RawSmtp c = open(gw.port())) {
            assertEquals("550 5.7.1 no", c.command("MAIL FROM:<bad@x.test>"));
            assertEquals("250 2.1.0 Sender <good@x.test> OK", c.command("MAIL FROM:<good@x.test>"));
            assertEquals(List.of("-", "-"), seen);
        }
    }

    @Test
    void connectionNotesSurviveRsetAndAreSharedBetweenFilters() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Filter writer = new Filter() {
            @Override
            public Verdict mailFrom(MailContext context) {
                int n = context.connectionNotes().get(CONNECTION_NUMBER).orElse(0) + 1;
                context.connectionNotes().put(CONNECTION_NUMBER, n);
                return Verdict.next();
            }
        };
        Filter reader = new Filter() {
            @Override
            public Verdict mailFrom(MailContext context) {
                seen.add("mails so far: " + context.connectionNotes().get(CONNECTION_NUMBER).orElse(-1));
                return Verdict.next();
            }
        };
        try (TestGateway gw = TestGateway.builder(dir).filterType(ChainTestSupport.type("writer", writer))
                .filterType(ChainTestSupport.type("reader", reader))
                .yaml("filters:\n  - {name: w, type: writer}\n  - {name: r, type: reader}\n").start();
                RawSmtp c = open(gw.port())) {
            c.command("MAIL FROM:<a@x.test>");
            c.command("RSET");
            c.command("MAIL FROM:<a@x.test>");
            c.command("RSET");
            c.command("MAIL FROM:<a@x.test>");
            assertEquals(List.of("mails so far: 1", "mails so far: 2", "mails so far: 3"), seen);
        }
    }
}
