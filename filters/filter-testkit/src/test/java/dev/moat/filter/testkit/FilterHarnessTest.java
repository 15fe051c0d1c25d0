package dev.moat.filter.testkit;

import static dev.moat.filter.testkit.VerdictAssertions.assertAccept;
import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static dev.moat.filter.testkit.VerdictAssertions.assertReject;
import static dev.moat.filter.testkit.VerdictAssertions.assertTempfail;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Address;
import dev.moat.filter.DataContext;
import dev.moat.filter.DisconnectContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.Header;
import dev.moat.filter.HeloContext;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.MailContext;
import dev.moat.filter.MimePart;
import dev.moat.filter.NoteKey;
import dev.moat.filter.RcptContext;
import dev.moat.filter.SessionInfo;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FilterHarnessTest {

    private static final String SIMPLE = "From: a@example.org\r\nTo: b@example.com\r\nSubject: hello\r\n\r\nbody line\r\n";

    private static FilterHarness ready(Filter filter) {
        FilterHarness h = FilterHarness.of(filter);
        assertNext(h.connect());
        assertNext(h.helo("client.example"));
        assertNext(h.mailFrom("a@example.org").verdict());
        assertNext(h.rcptTo("b@example.com").verdict());
        return h;
    }

    // ----- sender and recipient rewriting -------------------------------------------------------

    /** Rewrites senders of old.example to new.example; rejects senders named "spam". */
    static final class SenderRewriter implements Filter {
        @Override
        public Verdict mailFrom(MailContext context) {
            Optional<Address> sender = context.sender();
            if (sender.isPresent() && sender.get().normalizedDomain().equals("old.example")) {
                context.rewriteSender(Optional.of(Address.of(sender.get().localPart(), "new.example")));
                return Verdict.next();
            }
            if (sender.isPresent() && sender.get().localPart().equals("spam")) {
                context.rewriteSender(Optional.empty()); // must not be applied: the verdict refuses
                return Verdict.reject(550, "5.7.1", "no spam");
            }
            return Verdict.next();
        }
    }

    @Test
    void senderRewriteIsApplied() {
        try (FilterHarness h = FilterHarness.of(new SenderRewriter())) {
            StageOutcome out = h.mailFrom("<alice@OLD.example>", Map.of("size", "1000", "BODY", "8BITMIME"));
            assertNext(out.verdict());
            assertEquals(Optional.of(Address.parse("alice@new.example")), out.envelope().sender());
            assertEquals(Map.of("SIZE", "1000", "BODY", "8BITMIME"), out.envelope().mailParameters());
            assertEquals(out.envelope(), h.envelope());
            assertTrue(out.addedHeaders().isEmpty());
            assertTrue(out.removedHeaders().isEmpty());
        }
    }

    @Test
    void senderRewriteIsNotAppliedWhenRefused() {
        try (FilterHarness h = FilterHarness.of(new SenderRewriter())) {
            StageOutcome out = h.mailFrom("spam@example.org");
            assertReject(out.verdict(), 550, "5.7.1", "no spam");
            assertTrue(out.refused());
            assertEquals(Optional.of(Address.parse("spam@example.org")), out.envelope().sender());
            // no transaction is open after a refused MAIL FROM
            assertEquals(Optional.empty(), h.envelope().sender());
            assertThrows(IllegalStateException.class, () -> h.rcptTo("b@example.com"));
        }
    }

    @Test
    void nullSender() {
        AtomicReference<Optional<Address>> seen = new AtomicReference<>();
        Filter filter = new Filter() {
            @Override
            public Verdict mailFrom(MailContext context) {
                seen.set(context.envelope().sender());
                return Verdict.next();
            }
        };
        try (FilterHarness h = FilterHarness.of(filter)) {
            h.mailFrom("<>");
            assertEquals(Optional.empty(), seen.get());
            h.mailFrom("");
            assertEquals(Optional.empty(), seen.get());
        }
    }

    /** Maps alias@example.com to real@example.com; refuses unknown@; tempfails busy@. */
    static final class RecipientRewriter implements Filter {
        final List<List<Address>> envelopesSeen = new ArrayList<>();

        @Override
        public Verdict rcptTo(RcptContext context) {
            envelopesSeen.add(context.envelope().recipients());
            switch (context.recipient().localPart()) {
                case "alias" -> context.rewriteRecipient(Address.of("real", "example.com"));
                case "unknown" -> {
                    context.rewriteRecipient(Address.of("postmaster", "example.com"));
                    return Verdict.reject(550, "5.1.1", "no such user");
                }
                case "busy" -> {
                    return Verdict.tempfail(450, "4.2.1", "busy");
                }
                case "vip" -> {
                    return Verdict.accept();
                }
                default -> {
                }
            }
            return Verdict.next();
        }
    }

    @Test
    void recipientsAccumulateAfterRewrite() {
        RecipientRewriter filter = new RecipientRewriter();
        try (FilterHarness h = FilterHarness.of(filter)) {
            h.mailFrom("a@example.org");
            StageOutcome first = h.rcptTo("<alias@example.com>", Map.of("notify", "NEVER"));
            assertNext(first.verdict());
            assertEquals(List.of(Address.parse("real@example.com")), first.envelope().recipients());

            assertReject(h.rcptTo("unknown@example.com").verdict(), 550, "5.1.1");
            assertTempfail(h.rcptTo("busy@example.com").verdict(), 450, "4.2.1");
            assertAccept(h.rcptTo("vip@example.com").verdict());
            assertNext(h.rcptTo("real@example.com").verdict()); // already present: not added twice

            assertEquals(List.of(Address.parse("real@example.com"), Address.parse("vip@example.com")),
                    h.envelope().recipients());
            // each call saw the recipients accepted before it
            assertEquals(List.of(), filter.envelopesSeen.get(0));
            assertEquals(List.of(Address.parse("real@example.com")), filter.envelopesSeen.get(1));
        }
    }

    @Test
    void rcptParametersAreUpperCased() {
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        Filter filter = new Filter() {
            @Override
            public Verdict rcptTo(RcptContext context) {
                seen.set(context.parameters());
                return Verdict.next();
            }
        };
        try (FilterHarness h = FilterHarness.of(filter)) {
            h.mailFrom("a@example.org");
            h.rcptTo("b@example.com", Map.of("notify", "SUCCESS,FAILURE", "orcpt", "rfc822;b@example.com"));
            assertEquals(Map.of("NOTIFY", "SUCCESS,FAILURE", "ORCPT", "rfc822;b@example.com"), seen.get());
        }
    }

    // ----- header edits and the delivered message ---------------------------------------------

    /** Adds X-Scanned and a long X-Report, removes every X-Spam field, replaces Subject. */
    static final class HeaderEditor implements Filter {
        @Override
        public Verdict data(DataContext context) {
            context.headers().add(new Header("X-Scanned", "moat"));
            context.headers().remove("x-spam");
            context.headers().replace(new Header("Subject", "[checked] hello"));
            return Verdict.next();
        }
    }

    @Test
    void headerEditsGiveExactDeliveredBytes() {
        String original = "X-Spam: yes\r\nFrom: a@example.org\r\nSubject: hello\r\nX-SPAM: again\r\n"
                + "To: b@example.com\r\n\r\nbody\r\n.. dot-stuffing undone already\r\nX-Spam: in body stays\r\n";
        try (FilterHarness h = ready(new HeaderEditor())) {
            StageOutcome out = h.data(original.getBytes(StandardCharsets.US_ASCII));
            assertNext(out.verdict());
            assertEquals(List.of(new Header("X-Scanned", "moat"), new Header("Subject", "[checked] hello")),
                    out.addedHeaders());
            assertEquals(Set.of("x-spam", "subject"), out.removedHeaders());
            String expected = "X-Scanned: moat\r\nSubject: [checked] hello\r\n"
                    + "From: a@example.org\r\nTo: b@example.com\r\n\r\n"
                    + "body\r\n.. dot-stuffing undone already\r\nX-Spam: in body stays\r\n";
            assertArrayEquals(expected.getBytes(StandardCharsets.US_ASCII), h.deliveredMessage());
            assertEquals(expected, h.deliveredMessageText());
        }
    }

    @Test
    void longAddedHeaderIsFoldedLikeTheGateway() {
        String value = "word ".repeat(30).trim();
        Filter filter = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.headers().add(new Header("X-Long", value));
                return Verdict.next();
            }
        };
        try (FilterHarness h = ready(filter)) {
            h.data(SIMPLE);
            String delivered = h.deliveredMessageText();
            String header = delivered.substring(0, delivered.indexOf("From:"));
            assertTrue(header.startsWith("X-Long: word"));
            for (String line : header.split("\r\n")) {
                assertTrue(line.length() <= 78, line);
            }
            // unfolding gives the value back
            assertEquals("X-Long: " + value + "\r\n", header.replace("\r\n ", " "));
            assertTrue(delivered.endsWith(SIMPLE));
        }
    }

    @Test
    void withoutEditsTheMessageIsDeliveredAsReceived() {
        byte[] raw = ("Subject: caf\u00e9\r\n\r\n\u00fcml\u00e4ut body\r\n").getBytes(StandardCharsets.UTF_8);
        try (FilterHarness h = ready(new Filter() { })) {
            h.data(raw);
            assertArrayEquals(raw, h.deliveredMessage());
        }
    }

    @Test
    void editsOfARefusedMessageAreNotApplied() {
        Filter filter = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.headers().add(new Header("X-Never", "1"));
                context.envelopeMutations().removeRecipient(Address.parse("b@example.com"));
                return Verdict.reject(554, "5.7.1", "no");
            }
        };
        try (FilterHarness h = ready(filter)) {
            StageOutcome out = h.data(SIMPLE);
            assertReject(out.verdict(), 554, "5.7.1");
            assertTrue(out.addedHeaders().isEmpty());
            assertTrue(out.removedHeaders().isEmpty());
            assertEquals(List.of(Address.parse("b@example.com")), out.envelope().recipients());
            assertThrows(IllegalStateException.class, h::deliveredMessage);
        }
    }

    @Test
    void dataEnvelopeEditsAreApplied() {
        Filter filter = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                context.envelopeMutations().setSender(Optional.empty());
                context.envelopeMutations().addRecipient(Address.parse("archive@example.com"));
                context.envelopeMutations().removeRecipient(Address.parse("b@example.com"));
                return Verdict.next();
            }
        };
        try (FilterHarness h = ready(filter)) {
            StageOutcome out = h.data(SIMPLE);
            assertEquals(Optional.empty(), out.envelope().sender());
            assertEquals(List.of(Address.parse("archive@example.com")), out.envelope().recipients());
            assertEquals(out.envelope(), h.envelope());
        }
    }

    @Test
    void textDataGetsCrlfAndAFinalLineEnding() {
        AtomicReference<byte[]> seen = new AtomicReference<>();
        AtomicReference<List<Header>> headers = new AtomicReference<>();
        Filter filter = new Filter() {
            @Override
            public Verdict data(DataContext context) throws IOException {
                try (InputStream in = context.message().openStream()) {
                    seen.set(in.readAllBytes());
                }
                headers.set(context.message().headers());
                assertEquals(seen.get().length, context.message().size());
                return Verdict.next();
            }
        };
        try (FilterHarness h = ready(filter)) {
            h.data("Subject: hi\nX-Folded: a\n  b\r\n\nline 1\nline 2");
            assertEquals("Subject: hi\r\nX-Folded: a\r\n  b\r\n\r\nline 1\r\nline 2\r\n",
                    new String(seen.get(), StandardCharsets.US_ASCII));
            assertEquals(List.of(new Header("Subject", "hi"), new Header("X-Folded", "a  b")), headers.get());
        }
    }

    // ----- MIME parts -------------------------------------------------------------------------

    @Test
    void partsUseTheRealMimeWalk() {
        String message = """
                From: a@example.org
                Subject: report
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b1"

                preamble
                --b1
                Content-Type: text/plain; charset=utf-8

                Hello
                --b1
                Content-Type: application/pdf; name="report.pdf"
                Content-Disposition: attachment; filename="report.pdf"
                Content-Transfer-Encoding: base64

                JVBERi0xLjQK
                --b1--
                """;
        AtomicReference<List<MimePart>> parts = new AtomicReference<>();
        Filter filter = new Filter() {
            @Override
            public Verdict data(DataContext context) throws IOException {
                parts.set(context.message().parts());
                boolean pdf = context.message().parts().stream().anyMatch(p -> p.filename().orElse("").endsWith(".pdf"));
                return pdf ? Verdict.quarantine("pdf attachment") : Verdict.next();
            }
        };
        try (FilterHarness h = ready(filter)) {
            VerdictAssertions.assertQuarantine(h.data(message).verdict(), "pdf");
            List<MimePart> list = parts.get();
            assertEquals(3, list.size(), list.toString());
            assertEquals("multipart/mixed", list.get(0).contentType());
            assertEquals(0, list.get(0).depth());
            assertTrue(list.get(0).isMultipart());
            assertEquals("text/plain", list.get(1).contentType());
            assertEquals(1, list.get(1).depth());
            assertEquals("application/pdf", list.get(2).contentType());
            assertEquals(Optional.of("attachment"), list.get(2).disposition());
            assertEquals(Optional.of("report.pdf"), list.get(2).filename());
            assertEquals(1, list.get(2).depth());
            // a quarantined message is still assembled (the quarantine store keeps it with the edits)
            assertTrue(h.deliveredMessageText().startsWith("From: a@example.org\r\n"));
        }
    }

    @Test
    void largeMessageSpillsToDiskAndIsDeliveredIdentically() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            body.append("line ").append(i).append(" of a long message body\r\n");
        }
        byte[] raw = ("Subject: big\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        assertTrue(raw.length > 64 * 1024);
        Filter filter = new Filter() {
            @Override
            public Verdict data(DataContext context) throws IOException {
                assertEquals(raw.length, context.message().size());
                assertEquals(1, context.message().parts().size());
                context.headers().add(new Header("X-Size", Long.toString(context.message().size())));
                return Verdict.next();
            }
        };
        try (FilterHarness h = ready(filter)) {
            h.data(raw);
            String expected = "X-Size: " + raw.length + "\r\n" + new String(raw, StandardCharsets.US_ASCII);
            assertEquals(expected, h.deliveredMessageText());
        }
    }

    // ----- settings through a factory -----------------------------------------------------------

    /** A size limit with "max" (a size) and "grace" (a duration). */
    static final class SizeLimitFactory implements FilterFactory {
        final AtomicReference<FilterSettings> settings = new AtomicReference<>();

        @Override
        public String type() {
            return "size-limit";
        }

        @Override
        public Set<String> settingKeys() {
            return Set.of("max", "grace");
        }

        @Override
        public Filter create(FilterSettings s) {
            settings.set(s);
            long max = s.size("max", 25L * 1024 * 1024);
            return new Filter() {
                @Override
                public Verdict data(DataContext context) {
                    return context.message().size() > max
                            ? Verdict.reject(552, "5.3.4", "message too big for " + s.filterName())
                            : Verdict.next();
                }
            };
        }
    }

    @Test
    void unknownSettingIsRejectedLikeTheGateway() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new SizeLimitFactory(), Map.of("max", "1KB", "maximum", "2KB")));
        assertEquals("maximum", e.key());
        assertEquals("maximum: unknown setting for filter type 'size-limit' (known settings: name, type, timeout, grace, max)",
                e.getMessage());
    }

    @Test
    void sizeAndDurationSettingsParseAsInProduction() {
        SizeLimitFactory factory = new SizeLimitFactory();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("max", "10MB");
        settings.put("grace", "30s");
        settings.put("timeout", "5s");
        try (FilterHarness h = FilterHarness.of(factory, settings)) {
            FilterSettings s = factory.settings.get();
            assertEquals(10L * 1024 * 1024, s.size("max", 0));
            assertEquals(Duration.ofSeconds(30), s.duration("grace", Duration.ZERO));
            assertEquals("size-limit", s.filterName());
            assertFalse(s.has("timeout"));
            assertNotNull(h.filter());
        }
    }

    private static void assertNotNull(Object o) {
        org.junit.jupiter.api.Assertions.assertNotNull(o);
    }

    @Test
    void sizeSettingDrivesTheFilter() {
        try (FilterHarness h = FilterHarness.of(new SizeLimitFactory(), Map.of("max", "1KB", "name", "small"))) {
            h.mailFrom("a@example.org");
            h.rcptTo("b@example.com");
            assertReject(h.data("Subject: x\n\n" + "y".repeat(2000)).verdict(), 552, "5.3.4",
                    "message too big for small");
            h.mailFrom("a@example.org");
            h.rcptTo("b@example.com");
            assertNext(h.data("Subject: x\n\nsmall").verdict());
        }
    }

    @Test
    void badSizeValueNamesTheKey() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new SizeLimitFactory(), Map.of("max", "ten megabytes")));
        assertEquals("max", e.key());
        assertTrue(e.getMessage().contains("is not a size"), e.getMessage());
    }

    @Test
    void nullValueCountsAsAbsent() {
        SizeLimitFactory factory = new SizeLimitFactory();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("max", null);
        try (FilterHarness h = FilterHarness.of(factory, settings)) {
            assertNotNull(h.filter());
            assertFalse(factory.settings.get().has("max"));
            assertEquals(25L * 1024 * 1024, factory.settings.get().size("max", 25L * 1024 * 1024));
        }
    }

    @Test
    void badTimeoutAndWrongTypeAreRejected() {
        assertEquals("timeout", assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new SizeLimitFactory(), Map.of("timeout", "soon"))).key());
        assertEquals("type", assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new SizeLimitFactory(), Map.of("type", "other"))).key());
    }

    // ----- notes, session, stage order ----------------------------------------------------------

    private static final NoteKey<String> TX = NoteKey.of("tx", String.class);
    private static final NoteKey<Integer> CONN = NoteKey.of("conn", Integer.class);

    /** Counts MAIL commands in the connection notes and stores the sender in the transaction notes. */
    static final class NoteTaker implements Filter {
        final List<Optional<String>> txAtMail = new ArrayList<>();

        @Override
        public Verdict mailFrom(MailContext context) {
            txAtMail.add(context.transactionNotes().get(TX));
            context.transactionNotes().put(TX, context.sender().map(Address::toString).orElse(""));
            context.connectionNotes().put(CONN, context.connectionNotes().get(CONN).orElse(0) + 1);
            return Verdict.next();
        }

        @Override
        public Verdict data(DataContext context) {
            return context.transactionNotes().get(TX).isPresent() ? Verdict.next() : Verdict.tempfail("lost notes");
        }
    }

    @Test
    void transactionNotesResetAtMailAndRset() {
        NoteTaker filter = new NoteTaker();
        try (FilterHarness h = FilterHarness.of(filter)) {
            h.mailFrom("a@example.org");
            assertEquals(Optional.of("a@example.org"), h.transactionNotes().get(TX));
            h.rcptTo("b@example.com");
            assertNext(h.data(SIMPLE).verdict());

            h.mailFrom("c@example.org");
            assertEquals(Optional.empty(), filter.txAtMail.get(1));
            assertEquals(Optional.of("c@example.org"), h.transactionNotes().get(TX));

            h.reset();
            assertEquals(Optional.empty(), h.transactionNotes().get(TX));
            assertTrue(h.envelope().recipients().isEmpty());
            assertEquals(Optional.empty(), h.envelope().sender());

            assertEquals(Optional.of(2), h.connectionNotes().get(CONN));
            h.newConnection();
            assertEquals(Optional.empty(), h.connectionNotes().get(CONN));
        }
    }

    @Test
    void connectionNotesCanBePrepared() {
        AtomicReference<Optional<Integer>> seen = new AtomicReference<>();
        Filter filter = new Filter() {
            @Override
            public Verdict connect(dev.moat.filter.ConnectContext context) {
                seen.set(context.connectionNotes().get(CONN));
                return Verdict.next();
            }
        };
        try (FilterHarness h = FilterHarness.of(filter)) {
            h.connectionNotes().put(CONN, 7);
            h.connect();
            assertEquals(Optional.of(7), seen.get());
        }
    }

    @Test
    void heloUpdatesTheSessionForLaterStages() {
        List<Optional<String>> seen = new ArrayList<>();
        Filter filter = new Filter() {
            @Override
            public Verdict helo(HeloContext context) {
                seen.add(context.session().heloName());
                return context.heloName().equals("bad.example") ? Verdict.reject("bad helo") : Verdict.next();
            }

            @Override
            public Verdict mailFrom(MailContext context) {
                seen.add(context.session().heloName());
                return Verdict.next();
            }
        };
        SessionInfo session = TestSession.builder().helo(null).build();
        try (FilterHarness h = FilterHarness.of(filter).session(session)) {
            h.helo("mx.example.net");
            h.mailFrom("a@example.org");
            assertReject(h.helo("bad.example"), 550, "5.7.1");
            h.mailFrom("a@example.org");
            assertEquals(List.of(Optional.empty(), Optional.of("mx.example.net"), Optional.of("mx.example.net"),
                    Optional.of("mx.example.net")), seen);
            assertEquals(Optional.of("mx.example.net"), h.session().heloName());
        }
    }

    @Test
    void stageOrderIsEnforcedWithinATransaction() {
        try (FilterHarness h = FilterHarness.of(new Filter() { })) {
            assertThrows(IllegalStateException.class, () -> h.rcptTo("b@example.com"));
            h.mailFrom("a@example.org");
            assertThrows(IllegalStateException.class, () -> h.data(SIMPLE));
            h.rcptTo("b@example.com");
            h.data(SIMPLE);
            assertThrows(IllegalStateException.class, () -> h.data(SIMPLE));
            assertThrows(IllegalStateException.class, () -> h.rcptTo("c@example.com"));
            assertEquals(List.of(Address.parse("b@example.com")), h.envelope().recipients());
        }
    }

    // ----- exceptions, disconnect, close --------------------------------------------------------

    @Test
    void checkedExceptionReachesTheTestUnchanged() {
        IOException boom = new IOException("dns down");
        Filter filter = new Filter() {
            @Override
            public Verdict connect(dev.moat.filter.ConnectContext context) throws IOException {
                throw boom;
            }
        };
        try (FilterHarness h = FilterHarness.of(filter)) {
            assertSame(boom, assertThrows(IOException.class, h::connect));
        }
    }

    @Test
    void nullVerdictIsAnError() {
        Filter filter = new Filter() {
            @Override
            public Verdict connect(dev.moat.filter.ConnectContext context) {
                return null;
            }
        };
        try (FilterHarness h = FilterHarness.of(filter)) {
            assertThrows(IllegalStateException.class, h::connect);
        }
    }

    @Test
    void disconnectAndCloseReachTheFilterAndTheSpoolIsDeleted() {
        AtomicBoolean disconnected = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        Filter filter = new Filter() {
            @Override
            public void disconnect(DisconnectContext context) {
                disconnected.set(context.session().id().equals("test-session"));
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        FilterHarness h = ready(filter);
        h.data(SIMPLE);
        Path spool = h.spoolDirectory().orElseThrow();
        assertTrue(Files.isDirectory(spool));
        h.disconnect();
        assertTrue(disconnected.get());
        h.close();
        assertTrue(closed.get());
        assertFalse(Files.exists(spool));
        h.close(); // idempotent
        assertThrows(IllegalStateException.class, h::connect);
    }
}
