package dev.moat.filters.recipientcheck;

import dev.moat.filter.testkit.TestClock;
import static dev.moat.filter.testkit.VerdictAssertions.assertDisconnects;
import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static dev.moat.filter.testkit.VerdictAssertions.assertReject;
import static dev.moat.filter.testkit.VerdictAssertions.assertTempfail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Filter;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Verdict;
import dev.moat.filter.testkit.FilterHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code verify-with-next-hop} source through the test kit, against a scripted SMTP server on
 * loopback, with a fake clock for the cache.
 */
class VerifyWithNextHopTest {

    private static final String FAILURE = "<%s>: Recipient address rejected: Temporary lookup failure";
    private static final String UNKNOWN = "<%s>: Recipient address rejected: User unknown";

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private ScriptedSmtpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new ScriptedSmtpServer();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    private Map<String, Object> settings(Object verifiers) {
        Map<String, Object> s = new HashMap<>();
        s.put("domains", List.of("ours.test"));
        s.put("recipients", List.of("alice@ours.test"));
        s.put("verify-with-next-hop", verifiers);
        s.put("verify-timeout", "400ms");
        return s;
    }

    private Map<String, Object> settings() {
        return settings(server.url());
    }

    private FilterHarness harness(Map<String, Object> settings) {
        return FilterHarness.of(new RecipientCheckFactory(), settings, clock); // the cache reads the setup's clock
    }

    private static Verdict rcpt(FilterHarness h, String recipient) {
        if (h.envelope().sender().isEmpty()) {
            h.mailFrom("sender@elsewhere.test");
        }
        return h.rcptTo(recipient).verdict();
    }

    private static void assertUnknown(Verdict v, String recipient) {
        assertReject(v, 550, "5.1.1", String.format(UNKNOWN, recipient));
    }

    private static void assertFailure(Verdict v, String recipient) {
        assertTempfail(v, 450, "4.1.1", String.format(FAILURE, recipient));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # the verifier's reply to RCPT TO            | verdict
            250 2.1.5 Ok                                  | next
            251 2.1.5 User not local; will forward        | next
            250-2.1.5 Ok\\n250 2.1.5 multi-line          | next
            550 5.1.1 User unknown                        | unknown
            553 5.1.3 Bad destination mailbox syntax      | unknown
            551 5.1.6 User has moved                      | unknown
            550-5.1.1 No such user\\n550 5.1.1 here       | unknown
            450 4.2.1 Mailbox busy                        | failure
            452 4.5.3 Too many recipients                 | failure
            421 4.3.2 Shutting down                       | failure
            354 Go ahead                                  | failure
            HANG                                          | failure
            CLOSE                                         | failure
            DRIP                                          | failure
            LONG                                          | failure
            MANY                                          | failure
            hello there                                   | failure
            2500 Ok                                       | failure
            250-2.1.5 Ok\\n550 5.1.1 mixed codes          | failure
            """)
    void mapsTheVerifiersReply(String reply, String expected) {
        server.reply("bob@ours.test", reply);
        long start = System.nanoTime();
        try (FilterHarness h = harness(settings())) {
            Verdict v = rcpt(h, "bob@ours.test");
            switch (expected) {
                case "next" -> assertNext(v);
                case "unknown" -> assertUnknown(v, "bob@ours.test");
                default -> assertFailure(v, "bob@ours.test");
            }
        }
        assertEquals(1, server.probes("bob@ours.test"));
        // HANG and DRIP end at verify-timeout (400 ms for the whole reply, however slowly it drips)
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "took too long");
    }

    @Test
    void theProbeDialogueWithDefaultSettings() {
        server.knows("bob@ours.test");
        try (FilterHarness h = harness(settings())) {
            assertNext(rcpt(h, "Bob@Ours.Test"));
        }
        assertEquals(List.of("EHLO localhost", "MAIL FROM:<>", "RCPT TO:<Bob@Ours.Test>", "RSET", "QUIT"), server.transcript());
    }

    @Test
    void heloAndSenderAreSettings() {
        server.knows("bob@ours.test");
        Map<String, Object> s = settings();
        s.put("verify-helo", "gw.ours.test");
        s.put("verify-sender", "<probe@ours.test>");
        try (FilterHarness h = harness(s)) {
            assertNext(rcpt(h, "bob@ours.test"));
        }
        assertEquals(List.of("EHLO gw.ours.test", "MAIL FROM:<probe@ours.test>", "RCPT TO:<bob@ours.test>", "RSET", "QUIT"),
                server.transcript());
    }

    @Test
    void heloWhenEhloIsRefused() {
        server.knows("bob@ours.test");
        server.ehloReply = "502 5.5.2 Error: command not recognized";
        try (FilterHarness h = harness(settings())) {
            assertNext(rcpt(h, "bob@ours.test"));
        }
        assertEquals(List.of("EHLO localhost", "HELO localhost", "MAIL FROM:<>", "RCPT TO:<bob@ours.test>", "RSET", "QUIT"),
                server.transcript());
    }

    @ParameterizedTest(name = "greeting {0}")
    @CsvSource({"554 5.3.2 Not now", "421 4.3.2 Busy", "HANG", "CLOSE", "LONG"})
    void aVerifierThatWillNotStartASessionIsALookupFailure(String greeting) {
        server.greeting = greeting;
        try (FilterHarness h = harness(settings())) {
            assertFailure(rcpt(h, "bob@ours.test"), "bob@ours.test");
        }
        assertEquals(0, server.totalProbes());
    }

    @Test
    void aRefusedConnectionIsALookupFailure() throws IOException {
        try (FilterHarness h = harness(settings(ScriptedSmtpServer.refusingUrl()))) {
            assertFailure(rcpt(h, "bob@ours.test"), "bob@ours.test");
            assertNext(rcpt(h, "alice@ours.test")); // known to the static list: the verifier is not asked
        }
    }

    @Test
    void aRefusedMailFromIsALookupFailure() {
        server.knows("bob@ours.test");
        server.mailReply = "553 5.7.1 We do not accept the null sender";
        try (FilterHarness h = harness(settings())) {
            assertFailure(rcpt(h, "bob@ours.test"), "bob@ours.test");
        }
        assertEquals(0, server.totalProbes());
    }

    @Test
    void verifiersAreTriedInOrderWhenOneCannotBeUsed() throws IOException {
        server.knows("bob@ours.test");
        try (ScriptedSmtpServer silent = new ScriptedSmtpServer(); ScriptedSmtpServer busy = new ScriptedSmtpServer()) {
            silent.greeting = "HANG";
            busy.greeting = "421 4.3.2 Busy";
            try (FilterHarness h = harness(settings(List.of(ScriptedSmtpServer.refusingUrl(), silent.url(), busy.url(), server.url())))) {
                assertNext(rcpt(h, "bob@ours.test"));
                assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test");
            }
            assertEquals(2, silent.connections());
            assertEquals(2, busy.connections());
            assertEquals(2, server.totalProbes());
        }
    }

    @Test
    void onceASessionStartedItsAnswerIsTheAnswer() throws IOException {
        try (ScriptedSmtpServer second = new ScriptedSmtpServer()) {
            second.knows("bob@ours.test");
            server.reply("bob@ours.test", "451 4.3.0 Directory unavailable");
            try (FilterHarness h = harness(settings(List.of(server.url(), second.url())))) {
                assertFailure(rcpt(h, "bob@ours.test"), "bob@ours.test");
            }
            assertEquals(0, second.connections());
        }
    }

    @Test
    void knownAnswersAreCachedForTheirTtl() {
        server.knows("bob@ours.test");
        Map<String, Object> s = settings();
        s.put("verify-cache-ttl", "30s");
        try (FilterHarness h = harness(s)) {
            assertNext(rcpt(h, "bob@ours.test"));
            assertNext(rcpt(h, "BOB@ours.TEST")); // one entry per lower-cased address
            assertNext(rcpt(h, "\"bob\"@ours.test"));
            clock.advance(Duration.ofMillis(29_999));
            assertNext(rcpt(h, "bob@ours.test"));
            assertEquals(1, server.probes("bob@ours.test"));
            clock.advance(Duration.ofMillis(1));
            assertNext(rcpt(h, "bob@ours.test"));
            assertEquals(2, server.probes("bob@ours.test"));
            h.newConnection(); // the cache belongs to the filter, not to a connection
            assertNext(rcpt(h, "bob@ours.test"));
            assertEquals(2, server.probes("bob@ours.test"));
        }
    }

    @Test
    void theDefaultTtlsAreTenMinutesAndOneMinute() {
        server.knows("bob@ours.test");
        try (FilterHarness h = harness(settings())) {
            assertNext(rcpt(h, "bob@ours.test"));
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test");
            clock.advance(Duration.ofSeconds(59));
            assertNext(rcpt(h, "bob@ours.test"));
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test");
            assertEquals(2, server.totalProbes());
            clock.advance(Duration.ofSeconds(1));
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test");
            assertEquals(2, server.probes("dave@ours.test"));
            clock.advance(Duration.ofSeconds(539));
            assertNext(rcpt(h, "bob@ours.test"));
            assertEquals(1, server.probes("bob@ours.test"));
            clock.advance(Duration.ofSeconds(1));
            assertNext(rcpt(h, "bob@ours.test"));
            assertEquals(2, server.probes("bob@ours.test"));
        }
    }

    @Test
    void unknownAnswersAreCachedForTheNegativeTtlAndZeroTurnsThatOff() {
        Map<String, Object> s = settings();
        s.put("verify-negative-cache-ttl", "5s");
        try (FilterHarness h = harness(s)) {
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test");
            server.knows("dave@ours.test"); // the directory learns dave, but the cache still says unknown
            clock.advance(Duration.ofMillis(4999));
            assertUnknown(rcpt(h, "Dave@ours.test"), "Dave@ours.test");
            assertEquals(1, server.probes("dave@ours.test"));
            clock.advance(Duration.ofMillis(1));
            assertNext(rcpt(h, "dave@ours.test"));
            assertEquals(2, server.probes("dave@ours.test"));
        }
        s.put("verify-negative-cache-ttl", "0s");
        try (FilterHarness h = harness(s)) {
            for (int i = 0; i < 3; i++) {
                assertUnknown(rcpt(h, "erin@ours.test"), "erin@ours.test");
            }
            assertEquals(3, server.probes("erin@ours.test"));
        }
    }

    @Test
    void lookupFailuresAreNeverCached() {
        server.reply("bob@ours.test", "451 4.3.0 Directory unavailable");
        try (FilterHarness h = harness(settings())) {
            for (int i = 0; i < 3; i++) {
                assertFailure(rcpt(h, "bob@ours.test"), "bob@ours.test");
            }
            assertEquals(3, server.probes("bob@ours.test"));
            server.knows("bob@ours.test");
            assertNext(rcpt(h, "bob@ours.test"));
            assertEquals(4, server.probes("bob@ours.test"));
        }
    }

    @Test
    void theCacheKeepsAtMostCacheSizeAddressesLeastRecentlyUsedFirstOut() {
        server.knows("a@ours.test", "b@ours.test", "c@ours.test");
        Map<String, Object> s = settings();
        s.put("verify-cache-size", 2);
        try (FilterHarness h = harness(s)) {
            for (String r : List.of("a@ours.test", "b@ours.test", "c@ours.test")) { // a is dropped for c
                assertNext(rcpt(h, r));
            }
            assertNext(rcpt(h, "c@ours.test"));
            assertNext(rcpt(h, "b@ours.test")); // b is now the most recently used
            assertEquals(3, server.totalProbes());
            assertNext(rcpt(h, "a@ours.test")); // probed again; c is dropped
            assertEquals(2, server.probes("a@ours.test"));
            assertNext(rcpt(h, "b@ours.test"));
            assertNext(rcpt(h, "c@ours.test"));
            assertEquals(2, server.probes("c@ours.test"));
            assertEquals(1, server.probes("b@ours.test"));
        }
    }

    @Test
    void cacheHitsMissesProbesAndTheCacheSizeArePublished() {
        server.knows("bob@ours.test");
        server.reply("down@ours.test", "451 4.3.0 Directory unavailable");
        Map<String, Object> s = settings();
        s.put("max-unknown-recipients", 0);
        try (FilterHarness h = harness(s)) {
            assertEquals(0.0, h.gauge("verify.cache.size"));
            assertNext(rcpt(h, "alice@ours.test")); // static list: the verifier is not asked
            assertNext(rcpt(h, "bob@ours.test"));   // miss, probe: known
            assertNext(rcpt(h, "Bob@ours.test"));   // hit
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test"); // miss, probe: unknown
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test"); // hit
            assertFailure(rcpt(h, "down@ours.test"), "down@ours.test"); // miss, probe: failed (not cached)
            assertFailure(rcpt(h, "down@ours.test"), "down@ours.test"); // miss, probe: failed
            assertEquals(2.0, h.counter("verify.cache.hits"));
            assertEquals(4.0, h.counter("verify.cache.misses"));
            assertEquals(1.0, h.counter("verify.probes", "result", "known"));
            assertEquals(1.0, h.counter("verify.probes", "result", "unknown"));
            assertEquals(2.0, h.counter("verify.probes", "result", "failed"));
            assertEquals(4, server.totalProbes());
            assertEquals(2.0, h.gauge("verify.cache.size"));
            assertEquals(3.0, h.counter("recipients.known"));
            assertEquals(2.0, h.counter("recipients.unknown"));
            assertEquals(2.0, h.counter("recipients.lookup.failures"));

            clock.advance(Duration.ofMinutes(1)); // dave's negative answer expires (read from the setup's clock)
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test");
            assertEquals(5.0, h.counter("verify.cache.misses"));
            assertEquals(2.0, h.counter("verify.probes", "result", "unknown"));
            assertEquals(2.0, h.gauge("verify.cache.size"));
        }
    }

    @Test
    void verifierUnknownsCountTowardsTheHarvestLimitAndFailuresDoNot() {
        server.reply("down@ours.test", "451 4.3.0 Directory unavailable");
        Map<String, Object> s = settings();
        s.put("max-unknown-recipients", 3);
        try (FilterHarness h = harness(s)) {
            assertUnknown(rcpt(h, "u1@ours.test"), "u1@ours.test");
            assertUnknown(rcpt(h, "u1@ours.test"), "u1@ours.test"); // a cached answer counts too
            assertNext(rcpt(h, "alice@ours.test"));
            assertFailure(rcpt(h, "down@ours.test"), "down@ours.test");
            assertFailure(rcpt(h, "down@ours.test"), "down@ours.test");
            assertUnknown(rcpt(h, "u2@ours.test"), "u2@ours.test");
            Verdict v = rcpt(h, "alice@ours.test");
            assertTempfail(v, 421, "4.7.0", "Too many unknown recipients");
            assertDisconnects(v);
            assertTempfail(rcpt(h, "u3@ours.test"), 421, "4.7.0");
            assertEquals(0, server.probes("u3@ours.test")); // the harvest reply comes before any probe
        }
    }

    @Test
    void theVerifierIsAskedOnlyWhatTheOtherSourcesDoNotKnow() throws IOException {
        Path file = dir.resolve("recipients");
        Files.writeString(file, "carol@ours.test\n");
        server.knows("bob@ours.test", "x@other.test");
        Map<String, Object> s = settings();
        s.put("recipient-patterns", List.of("role-.*@ours\\.test"));
        s.put("recipients-file", file.toString());
        s.put("reload-interval", "0s");
        try (FilterHarness h = harness(s)) {
            assertNext(rcpt(h, "alice@ours.test")); // static list
            assertNext(rcpt(h, "role-sales@ours.test")); // pattern
            assertNext(rcpt(h, "carol@ours.test")); // file
            assertNext(rcpt(h, "x@other.test")); // not one of our domains: unchecked
            assertEquals(0, server.connections());
            assertNext(rcpt(h, "bob@ours.test")); // unknown to the file, known to the verifier
            assertUnknown(rcpt(h, "dave@ours.test"), "dave@ours.test");

            Files.delete(file); // the file cannot be read: the verifier may still know the address ...
            assertNext(rcpt(h, "bob@ours.test"));
            // ... but its "unknown" is not enough, as the file might have known it
            assertFailure(rcpt(h, "dave@ours.test"), "dave@ours.test");
        }
    }

    @Test
    void theVerifierMayBeTheOnlySource() {
        server.knows("bob@ours.test");
        Map<String, Object> s = Map.of("domains", "ours.test", "verify-with-next-hop", server.url());
        try (FilterHarness h = harness(new HashMap<>(s))) {
            assertNext(rcpt(h, "bob@ours.test"));
            assertUnknown(rcpt(h, "alice@ours.test"), "alice@ours.test");
        }
    }

    @Test
    void anInternationalAddressNeedsSmtputf8AtTheVerifier() {
        server.knows("jörg@ours.test");
        try (FilterHarness h = harness(settings())) {
            assertTempfail(rcpt(h, "jörg@ours.test"), 450, "4.1.1");
            assertEquals(0, server.totalProbes());
        }
        server.ehloReply = "250-verifier.test\\n250-SMTPUTF8\\n250 8BITMIME";
        try (FilterHarness h = harness(settings())) {
            assertNext(rcpt(h, "jörg@ours.test"));
        }
        assertTrue(server.transcript().contains("MAIL FROM:<> SMTPUTF8"), server.transcript().toString());
        assertTrue(server.transcript().contains("RCPT TO:<jörg@ours.test>"), server.transcript().toString());
    }

    @Test
    void concurrentLookupsThroughOneFilterInstance() throws Exception {
        for (int i = 0; i < 40; i += 2) {
            server.knows("u" + i + "@ours.test");
        }
        Map<String, Object> s = settings();
        s.put("verify-cache-size", 10);
        s.put("max-unknown-recipients", 0);
        FilterHarness owner = harness(s);
        Filter filter = owner.filter();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    FilterHarness h = FilterHarness.of(filter); // one connection per thread, one shared instance
                    for (int i = 0; i < 60; i++) {
                        int n = ThreadLocalRandom.current().nextInt(40);
                        String r = "u" + n + "@ours.test";
                        if (n % 2 == 0) {
                            assertNext(rcpt(h, r));
                        } else {
                            assertUnknown(rcpt(h, r), r);
                        }
                    }
                    h.disconnect();
                    return null;
                }));
            }
            for (Future<?> r : results) {
                r.get(20, TimeUnit.SECONDS);
            }
            // every lookup counted once, from any thread
            assertEquals(8 * 60.0, owner.counter("verify.cache.hits") + owner.counter("verify.cache.misses"));
            assertEquals(owner.counter("verify.cache.misses"), owner.counter("verify.probes", "result", "known")
                    + owner.counter("verify.probes", "result", "unknown"));
            assertEquals(server.totalProbes(), owner.counter("verify.cache.misses"));
            assertEquals(10.0, owner.gauge("verify.cache.size"));
        } finally {
            pool.shutdownNow();
            owner.close();
        }
        assertTrue(server.totalProbes() >= 20, "some addresses were dropped from the 10-entry cache and probed again");
    }

    @Test
    void theCacheStaysConsistentUnderConcurrentUse() throws Exception {
        VerificationCache cache = new VerificationCache(clock, Duration.ofMinutes(10), Duration.ofMinutes(1), 50);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 20_000; i++) {
                        int n = random.nextInt(200);
                        String key = "u" + n + "@ours.test";
                        if (random.nextBoolean()) {
                            cache.put(key, n % 2 == 0);
                        } else {
                            Boolean known = cache.get(key);
                            if (known != null && known != (n % 2 == 0)) {
                                throw new AssertionError("wrong answer for " + key);
                            }
                        }
                        if (i % 1000 == 0) {
                            clock.advance(Duration.ofSeconds(1));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> r : results) {
                r.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(cache.size() <= 50, "size " + cache.size());
        clock.advance(Duration.ofMinutes(11));
        for (int n = 0; n < 200; n++) {
            assertNull(cache.get("u" + n + "@ours.test"));
        }
        assertEquals(0, cache.size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            smtp://mx.internal.test:2525 | mx.internal.test | 2525
            SMTP://MX.internal.test      | MX.internal.test | 25
            smtp://192.0.2.7:25/         | 192.0.2.7        | 25
            smtp://[2001:db8::7]:587     | 2001:db8::7      | 587
            """)
    void verifierAddresses(String entry, String host, int port) {
        VerifierEndpoint endpoint = VerifierEndpoint.parse(entry);
        assertEquals(new VerifierEndpoint(host, port), endpoint);
        assertEquals(endpoint, VerifierEndpoint.parse(endpoint.toString()));
    }

    @ParameterizedTest(name = "{0}={1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            verify-with-next-hop      | mx.internal.test:25         | the scheme must be smtp://
            verify-with-next-hop      | smtps://mx.internal.test    | the scheme must be smtp://
            verify-with-next-hop      | smtp://mx.internal.test/x   | only a host and a port
            verify-with-next-hop      | smtp://u@mx.internal.test   | only a host and a port
            verify-with-next-hop      | smtp://mx.internal.test:0   | port out of range
            verify-with-next-hop      | smtp://-bad-.test           | not a verifier
            verify-helo               | two words                   | not a host name
            verify-sender             | nobody                      | not an address or <>
            verify-timeout            | 0s                          | more than 0s
            verify-timeout            | 11m                         | at most 10m
            verify-timeout            | soon                        | soon
            verify-cache-ttl          | 0s                          | more than 0s
            verify-negative-cache-ttl | -1s                         | negative            
            verify-cache-size         | 0                           | at least 1
            """)
    void badVerifierSettingsFailStartUpNamingTheKey(String key, String value, String reason) {
        Map<String, Object> s = settings();
        s.put(key, value);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> harness(s));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest(name = "{0} without verify-with-next-hop")
    @CsvSource({"verify-helo, gw.ours.test", "verify-sender, <>", "verify-timeout, 5s", "verify-cache-ttl, 1m",
        "verify-negative-cache-ttl, 1m", "verify-cache-size, 5"})
    void verifierOptionsWithoutAVerifierFailStartUp(String key, String value) {
        Map<String, Object> s = settings();
        s.remove("verify-with-next-hop");
        s.remove("verify-timeout");
        s.put(key, value);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> harness(s));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains("has no effect without verify-with-next-hop"), e.getMessage());
    }
}
