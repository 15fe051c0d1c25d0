package dev.moat.core.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.config.ConfigException;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Gateway.reload()} against a running gateway, observed over real SMTP connections. */
class ReloadTest {

    @TempDir
    Path dir;

    private TestGateway gw;
    /** Every instance of the test filter type, in creation order, with whether it was closed. */
    private final List<Refuser> created = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    /** The test type {@code refuse}: refuses recipients whose local part starts with {@code prefix} (550 5.7.1 + tag). */
    private FilterFactory refuseType() {
        return new FilterFactory() {
            @Override
            public String type() {
                return "refuse";
            }

            @Override
            public Set<String> settingKeys() {
                return Set.of("prefix", "tag");
            }

            @Override
            public Filter create(FilterSettings settings) {
                Refuser r = new Refuser(settings.string("prefix", "blocked"), settings.string("tag", "-"));
                created.add(r);
                return r;
            }
        };
    }

    static final class Refuser implements Filter {
        final String prefix;
        final String tag;
        final AtomicBoolean closed = new AtomicBoolean();

        Refuser(String prefix, String tag) {
            this.prefix = prefix;
            this.tag = tag;
        }

        @Override
        public Verdict rcptTo(RcptContext context) {
            if (closed.get()) {
                return Verdict.tempfail(451, "4.3.0", "closed filter called");
            }
            return context.recipient().localPart().startsWith(prefix)
                    ? Verdict.reject(550, "5.7.1", "refused by " + tag) : Verdict.next();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    private TestGateway start(String yaml) throws Exception {
        gw = TestGateway.builder(dir).filterType(refuseType()).reloadable().yaml(yaml).start();
        return gw;
    }

    private static String rcpt(RawSmtp c, String to) throws IOException {
        return c.command("RCPT TO:<" + to + ">");
    }

    private static RawSmtp session(TestGateway gw) throws IOException {
        RawSmtp c = RawSmtp.connect(gw.port());
        assertTrue(c.lastLine().startsWith("220"));
        assertTrue(c.command("EHLO client.test").startsWith("250"));
        assertTrue(c.command("MAIL FROM:<a@client.test>").startsWith("250"));
        return c;
    }

    private static void sendData(RawSmtp c) throws IOException {
        assertTrue(c.command("DATA").startsWith("354"));
        String reply = c.command("Subject: t\r\n\r\nbody\r\n.");
        assertTrue(reply.startsWith("250 2.0.0"), reply);
    }

    private static final String ONE = """
            filters:
              - {name: gate, type: refuse, prefix: spam, tag: one}
            """;
    private static final String TWO = """
            filters:
              - {name: gate, type: refuse, prefix: junk, tag: two}
            """;

    @Test
    void aGoodFileReplacesTheFiltersForTheNextConnection() throws Exception {
        start(ONE);
        try (RawSmtp c = session(gw)) {
            assertEquals("550 5.7.1 refused by one", rcpt(c, "spam@dest.test"));
            assertTrue(rcpt(c, "junk@dest.test").startsWith("250"));
        }
        gw.writeConfig(TWO);
        ReloadReport report = gw.gateway().reload();
        assertEquals(2, report.generation());
        assertTrue(report.filtersChanged());
        assertFalse(report.routesChanged());
        assertEquals(List.of(), report.restartRequired());
        try (RawSmtp c = session(gw)) {
            assertTrue(rcpt(c, "spam@dest.test").startsWith("250"));
            assertEquals("550 5.7.1 refused by two", rcpt(c, "junk@dest.test"));
            sendData(c);
        }
        assertEquals(1, gw.capture().count());
        // no connection uses the first chain any more: its filter is closed, the new one is not
        assertEquals(2, created.size());
        awaitClosed(created.get(0));
        assertFalse(created.get(1).closed.get());
        assertEquals("two", ((Refuser) gw.gateway().chain().filters().get(0).filter()).tag);
        assertEquals(List.of("gate"), gw.gateway().config().filters().stream().map(f -> f.name()).toList());
    }

    @Test
    void aBadFileChangesNothingAndNamesTheKey() throws Exception {
        start(ONE);
        gw.writeConfig("""
                filters:
                  - {name: gate, type: refuse, prefix: junk, colour: red}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> gw.gateway().reload());
        assertEquals("filters[0].colour", e.keyPath());
        assertTrue(e.reason().startsWith("unknown setting for filter type 'refuse'"), e.reason());
        gw.writeConfig("filters:\n  - {name: gate, type: refuse, prefix: [a, b]}\n");
        e = assertThrows(ConfigException.class, () -> gw.gateway().reload());
        assertEquals("filters[0].prefix", e.keyPath(), e.getMessage());
        gw.writeConfig("filters: [\n");
        e = assertThrows(ConfigException.class, () -> gw.gateway().reload());
        assertTrue(e.getMessage().contains("line"), e.getMessage());

        assertEquals(1, gw.gateway().policies().current().generation());
        assertEquals(1, created.size(), "the second file failed before its filter was created");
        try (RawSmtp c = session(gw)) {
            assertEquals("550 5.7.1 refused by one", rcpt(c, "spam@dest.test"));
            assertTrue(rcpt(c, "junk@dest.test").startsWith("250"));
            sendData(c);
        }
        assertFalse(created.get(0).closed.get());
    }

    @Test
    void aFilterThatFailsToStartLeavesTheRunningChainAlone() throws Exception {
        start(ONE);
        // the first instance is created, the second one's type is unknown: the first must be closed again
        gw.writeConfig("""
                filters:
                  - {name: gate, type: refuse, prefix: junk, tag: two}
                  - {name: other, type: no-such-type}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> gw.gateway().reload());
        assertEquals("filters[1].type", e.keyPath());
        assertEquals(2, created.size());
        assertTrue(created.get(1).closed.get(), "the half-built chain is closed");
        assertFalse(created.get(0).closed.get());
        try (RawSmtp c = session(gw)) {
            assertEquals("550 5.7.1 refused by one", rcpt(c, "spam@dest.test"));
        }
    }

    @Test
    void aConnectionOpenAtTheReloadFinishesOnTheChainItStartedWith() throws Exception {
        start(ONE);
        try (RawSmtp before = session(gw)) {
            assertEquals("550 5.7.1 refused by one", rcpt(before, "spam@dest.test"));
            gw.writeConfig(TWO);
            assertEquals(2, gw.gateway().reload().generation());
            try (RawSmtp after = session(gw)) {
                assertEquals("550 5.7.1 refused by two", rcpt(after, "junk@dest.test"));
            }
            // the old connection still runs the first chain, which is not closed while it is in use
            assertTrue(rcpt(before, "junk@dest.test").startsWith("250"));
            assertEquals("550 5.7.1 refused by one", rcpt(before, "spam2@dest.test"));
            sendData(before);
            assertEquals(1, gw.gateway().policies().retiredInUse());
            assertFalse(created.get(0).closed.get());
            // a second transaction on the same connection: still the first chain
            assertTrue(before.command("MAIL FROM:<a@client.test>").startsWith("250"));
            assertEquals("550 5.7.1 refused by one", rcpt(before, "spam3@dest.test"));
            assertTrue(before.command("QUIT").startsWith("221"));
        }
        awaitClosed(created.get(0));
        assertEquals(0, gw.gateway().policies().retiredInUse());
        assertFalse(created.get(1).closed.get());
        assertEquals(1, gw.capture().count());
    }

    @Test
    void routesAreReloadedAndRestartOnlyChangesAreReported() throws Exception {
        start("routes:\n  - {domains: ['*'], mode: capture}\nlimits: {max-recipients: 50}\n");
        try (RawSmtp c = session(gw)) {
            assertTrue(rcpt(c, "x@other.test").startsWith("250"));
        }
        gw.writeConfig("routes:\n  - {domains: [dest.test], mode: capture}\nlimits: {max-recipients: 10}\n");
        ReloadReport report = gw.gateway().reload();
        assertTrue(report.routesChanged());
        assertFalse(report.filtersChanged());
        assertEquals(List.of("limits"), report.restartRequired());
        try (RawSmtp c = session(gw)) {
            String refused = rcpt(c, "x@other.test");
            assertTrue(refused.startsWith("550 5.7.1"), refused);
            assertTrue(rcpt(c, "x@dest.test").startsWith("250"));
        }
        // the limit is not applied: the running value stays until a restart
        assertEquals(50, gw.gateway().config().limits().maxRecipients());
        assertEquals(List.of("dest.test"), gw.gateway().config().routes().get(0).domains());
    }

    @Test
    void aGatewayStartedWithoutAFileHasNothingToReload() throws Exception {
        gw = TestGateway.builder(dir).start();
        ConfigException e = assertThrows(ConfigException.class, () -> gw.gateway().reload());
        assertEquals("", e.keyPath());
        assertTrue(e.getMessage().contains("without a configuration file"), e.getMessage());
    }

    private static void awaitClosed(Refuser filter) throws InterruptedException {
        // the disconnect is processed on the session pool after the client's socket closed
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!filter.closed.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(filter.closed.get(), "the replaced filter is closed once no connection uses it");
    }
}
