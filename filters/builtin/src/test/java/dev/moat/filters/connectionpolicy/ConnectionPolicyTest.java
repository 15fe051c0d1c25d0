package dev.moat.filters.connectionpolicy;

import dev.moat.filter.testkit.TestClock;
import static dev.moat.filter.testkit.VerdictAssertions.assertNext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Filter;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Verdict;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.TestSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven tests of connection-policy through the test kit, with a fake clock. */
class ConnectionPolicyTest {

    private static final String BARE_IP = "reject 550 5.7.1 HELO/EHLO with a bare IP address: use an address literal such as [192.0.2.1]";
    private static final String INVALID = "reject 550 5.7.1 HELO/EHLO name is not a valid host name or address literal";
    private static final String OWN = "reject 550 5.7.1 HELO/EHLO with my own host name or address";
    private static final String BAD_SENDER = "reject 553 5.1.7 Bad sender address syntax";

    private final TestClock clock = new TestClock();

    private FilterHarness harness(Map<String, ?> settings, String ip) {
        return FilterHarness.of(new ConnectionPolicyFactory(clock), settings)
                .session(TestSession.builder().clientIp(ip).build());
    }

    private static FilterHarness connection(Filter filter, String ip) {
        return FilterHarness.of(filter).session(TestSession.builder().clientIp(ip).build());
    }

    // ---------------------------------------------------------------------------------------------
    // HELO

    private static final Map<String, Object> HELO = Map.of("helo-checks", true,
            "own-hostnames", List.of("mx.example.com", "MX2.example.com"),
            "own-addresses", List.of("192.0.2.25", "2001:db8::25"),
            "trusted-networks", List.of("10.0.0.0/8"));

    @ParameterizedTest(name = "[{index}] HELO {0}")
    @CsvSource(delimiter = '|', value = {
        "client.example.org      | next",
        "mail_server.example     | next",
        "localhost               | next",
        "xn--bcher-kva.example   | next",
        "[198.51.100.7]          | next",
        "[IPv6:2001:db8::1]      | next",
        "[ipv6:2001:DB8::1]      | next",
        "198.51.100.7            | " + BARE_IP,
        "2001:db8::1             | " + BARE_IP,
        "::1                     | " + BARE_IP,
        "[192.0.2.25]            | " + OWN,
        "[IPv6:2001:db8:0::25]   | " + OWN,
        "mx.example.com          | " + OWN,
        "MX.Example.COM          | " + OWN,
        "mx2.example.com         | " + OWN,
        "-bad.example            | " + INVALID,
        "bad-.example            | " + INVALID,
        "bad..example            | " + INVALID,
        "example.com.            | " + INVALID,
        ".example.com            | " + INVALID,
        "[198.51.100]            | " + INVALID,
        "[999.1.1.1]             | " + INVALID,
        "[IPv6:zz::1]            | " + INVALID,
        "[example.com]           | " + INVALID,
        "host.123                | " + INVALID,
        "1.2.3                   | " + INVALID,
        "01.2.3.4                | " + INVALID,
        "exa$mple.com            | " + INVALID,
        "exämple.com             | " + INVALID,
    })
    void heloChecks(String helo, String expected) {
        try (FilterHarness h = harness(HELO, "198.51.100.7")) {
            assertEquals(expected, h.helo(helo).toString());
        }
    }

    @Test
    void heloLabelAndNameLengths() {
        try (FilterHarness h = harness(HELO, "198.51.100.7")) {
            assertEquals("next", h.helo("a".repeat(63) + ".example").toString());
            assertEquals(INVALID, h.helo("a".repeat(64) + ".example").toString());
            assertEquals(INVALID, h.helo(("a".repeat(60) + ".").repeat(5) + "example").toString());
        }
    }

    @Test
    void heloChecksAreOffByDefaultAndTrustedClientsAreExempt() {
        try (FilterHarness h = harness(Map.of(), "198.51.100.7")) {
            assertNext(h.helo("198.51.100.7"));
        }
        try (FilterHarness h = harness(HELO, "10.1.2.3")) {
            assertNext(h.helo("198.51.100.7"));
            assertNext(h.helo("mx.example.com"));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sender

    @ParameterizedTest(name = "[{index}] MAIL FROM {0}")
    @CsvSource(delimiter = '|', value = {
        "a@example.com                | next",
        "first.last+tag@example.com   | next",
        "\"john@doe\"@example.com     | next",
        "\"a\\\"b\"@example.com       | next",
        "a@[192.0.2.1]                | next",
        "a@[IPv6:2001:db8::1]         | next",
        "a@exa_mple.com               | next",
        "<>                           | next",
        "a..b@example.com             | " + BAD_SENDER,
        ".a@example.com               | " + BAD_SENDER,
        "a.@example.com               | " + BAD_SENDER,
        "a(c)@example.com             | " + BAD_SENDER,
        "a,b@example.com              | " + BAD_SENDER,
        "\"unterminated@example.com   | " + BAD_SENDER,
        "a@localhost                  | " + BAD_SENDER,
        "a@-example.com               | " + BAD_SENDER,
        "a@example..com               | " + BAD_SENDER,
        "a@[300.1.1.1]                | " + BAD_SENDER,
        "a@example.123                | " + BAD_SENDER,
        "ü@example.com                | " + BAD_SENDER,
    })
    void senderChecks(String sender, String expected) {
        try (FilterHarness h = harness(Map.of("sender-checks", true), "198.51.100.7")) {
            assertEquals(expected, h.mailFrom(sender).verdict().toString());
        }
    }

    @Test
    void senderLengths() {
        try (FilterHarness h = harness(Map.of("sender-checks", true), "198.51.100.7")) {
            assertEquals("next", h.mailFrom("a".repeat(64) + "@example.com").verdict().toString());
            assertEquals(BAD_SENDER, h.mailFrom("a".repeat(65) + "@example.com").verdict().toString());
        }
        try (FilterHarness h = harness(Map.of(), "198.51.100.7")) {
            assertEquals("next", h.mailFrom("a..b@example.com").verdict().toString());
        }
    }

    @Test
    void nullSenderOnlyWithOneRecipient() {
        try (FilterHarness h = harness(Map.of("sender-checks", true), "198.51.100.7")) {
            assertNext(h.mailFrom("<>").verdict());
            assertNext(h.rcptTo("a@example.com").verdict());
            assertEquals("reject 550 5.7.1 Null sender allowed only with one recipient",
                    h.rcptTo("b@example.com").verdict().toString());
            assertNext(h.mailFrom("x@example.org").verdict());
            assertNext(h.rcptTo("a@example.com").verdict());
            assertNext(h.rcptTo("b@example.com").verdict());
        }
        try (FilterHarness h = harness(Map.of(), "198.51.100.7")) {
            h.mailFrom("<>");
            h.rcptTo("a@example.com");
            assertNext(h.rcptTo("b@example.com").verdict());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Rates

    @Test
    void connectionRateTripsAndRecovers() {
        Map<String, Object> settings = Map.of("max-connection-rate", "3/1m", "trusted-networks", "10.0.0.0/8");
        try (FilterHarness h = harness(settings, "198.51.100.7")) {
            Filter f = h.filter();
            for (int i = 0; i < 3; i++) {
                assertNext(connection(f, "198.51.100.7").connect());
            }
            Verdict refused = connection(f, "198.51.100.7").connect();
            assertEquals("tempfail 421 4.7.0 Connection rate limit exceeded, try again later and disconnect", refused.toString());
            assertNext(connection(f, "198.51.100.8").connect());
            for (int i = 0; i < 10; i++) {
                assertNext(connection(f, "10.9.9.9").connect());
            }
            clock.advance(Duration.ofSeconds(59));
            assertEquals(refused, connection(f, "198.51.100.7").connect(), "still within the window");
            clock.advance(Duration.ofSeconds(7)); // 66 s: the first three have aged out
            assertNext(connection(f, "198.51.100.7").connect());
        }
    }

    @Test
    void messageRateTripsAndRecovers() {
        try (FilterHarness h = harness(Map.of("max-message-rate", "2 per 10s"), "198.51.100.7")) {
            assertNext(h.mailFrom("a@example.com").verdict());
            assertNext(h.mailFrom("a@example.com").verdict());
            assertEquals("tempfail 450 4.7.1 Message rate limit exceeded, try again later",
                    h.mailFrom("a@example.com").verdict().toString());
            clock.advance(Duration.ofSeconds(5));
            assertTrue(h.mailFrom("a@example.com").refused(), "refused attempts do not reset the window");
            clock.advance(Duration.ofSeconds(6));
            assertNext(h.mailFrom("a@example.com").verdict());
        }
    }

    @Test
    void recipientRateTripsAndRecovers() {
        try (FilterHarness h = harness(Map.of("max-recipient-rate", "3/1h", "recipient-rate-reply", "452 4.5.3 Slow down"),
                "198.51.100.7")) {
            h.mailFrom("a@example.com");
            for (int i = 0; i < 3; i++) {
                assertNext(h.rcptTo("r" + i + "@example.com").verdict());
            }
            assertEquals("tempfail 452 4.5.3 Slow down", h.rcptTo("r3@example.com").verdict().toString());
            clock.advance(Duration.ofMinutes(67));
            assertNext(h.rcptTo("r3@example.com").verdict());
        }
    }

    @Test
    void ipv6ClientsAreCountedByPrefix() {
        try (FilterHarness h = harness(Map.of("max-connection-rate", "1/1m"), "2001:db8:1:2::1")) {
            Filter f = h.filter();
            assertNext(connection(f, "2001:db8:1:2::1").connect());
            assertTrue(connection(f, "2001:db8:1:2:ffff::9").connect().reply().isPresent(), "same /64");
            assertNext(connection(f, "2001:db8:1:3::1").connect());
        }
        try (FilterHarness h = harness(Map.of("max-connection-rate", "1/1m", "ipv6-prefix", 128), "2001:db8:1:2::1")) {
            Filter f = h.filter();
            assertNext(connection(f, "2001:db8:1:2::1").connect());
            assertNext(connection(f, "2001:db8:1:2::2").connect());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Concurrency

    @Test
    void concurrentConnectionsAreCountedWithTheDisconnectNotice() {
        try (FilterHarness first = harness(Map.of("max-concurrent", 2), "198.51.100.7")) {
            Filter f = first.filter();
            InMemoryRateStateStore store = (InMemoryRateStateStore) ((ConnectionPolicyFilter) f).store();
            assertNext(first.connect());
            FilterHarness second = connection(f, "198.51.100.7");
            assertNext(second.connect());
            FilterHarness third = connection(f, "198.51.100.7");
            assertEquals("tempfail 421 4.7.0 Too many connections from your address, try again later and disconnect",
                    third.connect().toString());
            assertNext(connection(f, "198.51.100.99").connect());
            third.disconnect(); // refused: held no slot, releases none
            assertEquals(2, store.openConnections("198.51.100.7"));
            first.disconnect();
            first.disconnect(); // a second notice releases nothing more
            assertEquals(1, store.openConnections("198.51.100.7"));
            assertNext(connection(f, "198.51.100.7").connect());
            assertEquals(2, store.openConnections("198.51.100.7"));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Metrics

    @Test
    void refusalsAreCountedByLimitAndTrackedClientsArePublished() {
        Map<String, Object> settings = Map.of("max-concurrent", 1, "max-connection-rate", "2/1m", "max-message-rate", "1/1m",
                "max-recipient-rate", "1/1m", "trusted-networks", "10.0.0.0/8", "helo-checks", true);
        // the clock comes through the FilterSetup here, not through the factory's constructor
        try (FilterHarness h = FilterHarness.of(new ConnectionPolicyFactory(), settings, clock)) {
            Filter f = h.filter();
            assertEquals(0.0, h.gauge("connection.policy.tracked.clients"));
            FilterHarness first = connection(f, "198.51.100.7");
            assertNext(first.connect());
            assertTrue(connection(f, "198.51.100.7").connect().toString().contains("Too many connections"));
            first.disconnect();
            FilterHarness second = connection(f, "198.51.100.7");
            assertNext(second.connect());
            second.disconnect();
            FilterHarness third = connection(f, "198.51.100.7");
            assertTrue(third.connect().toString().contains("Connection rate limit exceeded"));
            third.disconnect();

            FilterHarness other = connection(f, "198.51.100.8");
            assertNext(other.connect());
            assertTrue(other.helo("203.0.113.9").toString().startsWith("reject"), "a HELO check, not a limit");
            assertNext(other.mailFrom("a@example.com").verdict());
            assertNext(other.rcptTo("r1@example.com").verdict());
            assertTrue(other.rcptTo("r2@example.com").verdict().toString().contains("Recipient rate limit exceeded"));
            assertTrue(other.mailFrom("a@example.com").verdict().toString().contains("Message rate limit exceeded"));
            for (int i = 0; i < 5; i++) {
                FilterHarness trusted = connection(f, "10.1.2.3"); // exempt: neither limited nor tracked
                assertNext(trusted.connect());
                assertNext(trusted.mailFrom("a@example.com").verdict());
            }

            assertEquals(1.0, h.counter("connection.policy.limited", "limit", "concurrent"));
            assertEquals(1.0, h.counter("connection.policy.limited", "limit", "connection-rate"));
            assertEquals(1.0, h.counter("connection.policy.limited", "limit", "message-rate"));
            assertEquals(1.0, h.counter("connection.policy.limited", "limit", "recipient-rate"));
            assertEquals(2.0, h.gauge("connection.policy.tracked.clients"));

            clock.advance(Duration.ofSeconds(70)); // the setup's clock drives the windows
            assertNext(other.mailFrom("a@example.com").verdict());
            assertEquals(1.0, h.counter("connection.policy.limited", "limit", "message-rate"));
        }
    }

    @Test
    void trackedClientsAreBoundedByMaxTrackedClients() {
        try (FilterHarness h = FilterHarness.of(new ConnectionPolicyFactory(),
                Map.of("max-connection-rate", "10/1m", "max-tracked-clients", 3), clock)) {
            for (int i = 1; i <= 5; i++) {
                assertNext(connection(h.filter(), "198.51.100." + i).connect());
                assertEquals((double) Math.min(i, 3), h.gauge("connection.policy.tracked.clients"));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The store

    @Test
    void windowEventsAgeOutBetweenOneAndOnePointOneWindows() {
        InMemoryRateStateStore store = new InMemoryRateStateStore(10);
        Duration w = Duration.ofSeconds(10);
        for (int s = 0; s < 10; s++) {
            assertTrue(store.tryCount("c", "x", 10, w, s * 1000L));
        }
        assertFalse(store.tryCount("c", "x", 10, w, 9_500));
        assertFalse(store.tryCount("c", "x", 10, w, 10_999), "the event of t=0 still counts before 1.1 windows");
        assertTrue(store.tryCount("c", "x", 10, w, 11_000), "the event of t=0 has aged out");
        assertFalse(store.tryCount("c", "x", 10, w, 11_500));
        assertTrue(store.tryCount("c", "x", 10, w, 40_000), "a long pause clears everything");
        // counters and clients are independent
        assertTrue(store.tryCount("c", "y", 1, w, 40_000));
        assertFalse(store.tryCount("c", "y", 1, w, 40_000));
        assertTrue(store.tryCount("d", "y", 1, w, 40_000));
        // a clock that goes back counts in the newest slot
        assertFalse(store.tryCount("d", "y", 1, w, 1_000));
    }

    @Test
    void storeIsBoundedAndForgetsTheLeastRecentlyUsedClient() {
        InMemoryRateStateStore store = new InMemoryRateStateStore(2);
        Duration w = Duration.ofMinutes(1);
        assertTrue(store.tryCount("a", "x", 1, w, 0));
        assertTrue(store.tryCount("b", "x", 1, w, 0));
        assertFalse(store.tryCount("a", "x", 1, w, 0)); // a is now the most recent
        assertTrue(store.tryCount("c", "x", 1, w, 0)); // evicts b
        assertEquals(2, store.trackedClients());
        assertFalse(store.tryCount("a", "x", 1, w, 0));
        assertTrue(store.tryCount("b", "x", 1, w, 0), "b was forgotten and starts afresh");
    }

    @Test
    void storeIsExactUnderContention() throws Exception {
        InMemoryRateStateStore store = new InMemoryRateStateStore(100);
        AtomicInteger allowed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        if (store.tryCount("c", "x", 500, Duration.ofMinutes(1), 1_000)) {
                            allowed.incrementAndGet();
                        }
                        if (store.tryOpenConnection("c", 3)) {
                            store.closeConnection("c");
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(500, allowed.get());
        assertEquals(0, store.openConnections("c"));
    }

    // ---------------------------------------------------------------------------------------------
    // Bad settings

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(Map.of("max-connection-rate", "30"), "max-connection-rate", "is not a rate"),
                Arguments.of(Map.of("max-connection-rate", Map.of("count", 30, "per", "1m")), "max-connection-rate",
                        "YAML map"),
                Arguments.of(Map.of("max-message-rate", "0/1m"), "max-message-rate", "at least 1"),
                Arguments.of(Map.of("max-recipient-rate", "5/10ms"), "max-recipient-rate", "100ms to 7d"),
                Arguments.of(Map.of("max-recipient-rate", "5/30d"), "max-recipient-rate", "100ms to 7d"),
                Arguments.of(Map.of("trusted-networks", List.of("10.0.0.0/33")), "trusted-networks", "is not an IP"),
                Arguments.of(Map.of("trusted-networks", List.of("example.com")), "trusted-networks", "is not an IP"),
                Arguments.of(Map.of("trusted-networks", List.of("2001:db8::/129")), "trusted-networks", "is not an IP"),
                Arguments.of(Map.of("own-hostnames", List.of("bad host")), "own-hostnames", "not a host name"),
                Arguments.of(Map.of("own-addresses", List.of("mx.example.com")), "own-addresses", "not an IP address"),
                Arguments.of(Map.of("ipv6-prefix", 0), "ipv6-prefix", "1 to 128"),
                Arguments.of(Map.of("max-tracked-clients", 0), "max-tracked-clients", "1 to 10000000"),
                Arguments.of(Map.of("max-concurrent", -1), "max-concurrent", "0 (no limit) or more"),
                Arguments.of(Map.of("helo-checks", "maybe"), "helo-checks", "not true or false"),
                Arguments.of(Map.of("concurrency-reply", "250 2.0.0 ok"), "concurrency-reply", "4xx or 5xx"),
                Arguments.of(Map.of("null-sender-reply", "550"), "null-sender-reply", "is not a reply"),
                Arguments.of(Map.of("max-rate", "1/1m"), "max-rate", "unknown setting"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badSettings")
    void badSettingsAreRefusedNamingTheKey(Map<String, Object> settings, String key, String reason) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> FilterHarness.of(new ConnectionPolicyFactory(clock), new HashMap<>(settings)));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void cidrParsing() {
        assertTrue(Addresses.Cidr.parse("192.0.2.0/24").contains(Addresses.ip("192.0.2.200")));
        assertFalse(Addresses.Cidr.parse("192.0.2.0/24").contains(Addresses.ip("192.0.3.1")));
        assertTrue(Addresses.Cidr.parse("192.0.2.77/24").contains(Addresses.ip("192.0.2.1")), "host bits ignored");
        assertTrue(Addresses.Cidr.parse("0.0.0.0/0").contains(Addresses.ip("203.0.113.9")));
        assertFalse(Addresses.Cidr.parse("0.0.0.0/0").contains(Addresses.ip("2001:db8::1")), "families never mix");
        assertTrue(Addresses.Cidr.parse("2001:db8::/32").contains(Addresses.ip("2001:db8:ffff::1")));
        assertFalse(Addresses.Cidr.parse("2001:db8::/33").contains(Addresses.ip("2001:db8:ffff::1")));
        assertTrue(Addresses.Cidr.parse("192.0.2.9").contains(Addresses.ip("192.0.2.9")));
        assertFalse(Addresses.Cidr.parse("192.0.2.9").contains(Addresses.ip("192.0.2.8")));
    }
}
