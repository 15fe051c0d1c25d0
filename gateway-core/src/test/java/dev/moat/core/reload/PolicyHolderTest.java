package dev.moat.core.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.chain.FilterChain;
import dev.moat.core.chain.FilterInstance;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.delivery.Router;
import dev.moat.core.relay.NextHopTlsContexts;
import dev.moat.filter.Filter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reference counting of the policies: closed exactly once, when swapped out and no longer leased. */
class PolicyHolderTest {

    private final List<AtomicInteger> closes = new ArrayList<>();
    private final ExecutorService filterPool = Executors.newCachedThreadPool();

    @org.junit.jupiter.api.AfterEach
    void stop() {
        filterPool.shutdownNow();
    }

    private Policy policy(long generation) {
        AtomicInteger closed = new AtomicInteger();
        closes.add(closed);
        Filter filter = new Filter() {
            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        FilterChain chain = new FilterChain(List.of(FilterInstance.of("f", "t", Duration.ofSeconds(1), filter)),
                filterPool, new SimpleMeterRegistry());
        List<RouteConfig> routes = RouteConfig.defaults();
        return new Policy(generation, Instant.now(), List.of(), chain, routes, new Router(routes), new NextHopTlsContexts(routes));
    }

    @Test
    void aSwappedOutPolicyIsClosedByItsLastLease() {
        PolicyHolder holder = new PolicyHolder(policy(1));
        PolicyHolder.Lease a = holder.acquire();
        PolicyHolder.Lease b = holder.acquire();
        holder.swap(policy(2));
        assertEquals(2, holder.current().generation());
        assertEquals(1, a.policy().generation());
        assertEquals(1, holder.retiredInUse());
        a.close();
        a.close(); // idempotent: one reference given back once
        assertEquals(0, closes.get(0).get());
        b.close();
        assertEquals(1, closes.get(0).get());
        assertEquals(0, holder.retiredInUse());
        assertEquals(0, closes.get(1).get());
        try (PolicyHolder.Lease c = holder.acquire()) {
            assertEquals(2, c.policy().generation());
        }
        assertEquals(0, closes.get(1).get(), "the current policy stays open without leases");
    }

    @Test
    void aPolicyWithoutLeasesIsClosedAtTheSwap() {
        PolicyHolder holder = new PolicyHolder(policy(1));
        Policy old = holder.swap(policy(2));
        assertEquals(1, old.generation());
        assertEquals(1, closes.get(0).get());
        assertTrue(old.chain().isClosed());
        holder.swap(policy(3));
        assertEquals(1, closes.get(1).get());
        assertEquals(0, holder.retiredInUse());
    }

    @Test
    void closeClosesEverythingAndRefusesNewLeases() {
        PolicyHolder holder = new PolicyHolder(policy(1));
        PolicyHolder.Lease kept = holder.acquire();
        holder.swap(policy(2));
        holder.close();
        assertEquals(1, closes.get(0).get());
        assertEquals(1, closes.get(1).get());
        assertThrows(IllegalStateException.class, holder::acquire);
        kept.close(); // a late lease changes nothing
        assertEquals(1, closes.get(0).get());
    }

    @Test
    void concurrentLeasesAndSwapsNeverHandOutAClosedChain() throws Exception {
        PolicyHolder holder = new PolicyHolder(policy(1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger closedSeen = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 20_000; i++) {
                    try (PolicyHolder.Lease lease = holder.acquire()) {
                        if (lease.policy().chain().isClosed()) {
                            closedSeen.incrementAndGet();
                        }
                    }
                }
                done.countDown();
            });
        }
        for (int g = 2; g <= 200; g++) {
            holder.swap(policy(g));
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
        pool.shutdown();
        assertEquals(0, closedSeen.get(), "a lease was handed a closed chain");
        for (int i = 0; i < closes.size() - 1; i++) {
            assertEquals(1, closes.get(i).get(), "generation " + (i + 1) + " closed exactly once");
        }
        assertFalse(holder.current().chain().isClosed());
        holder.close();
        assertSame(1, closes.get(closes.size() - 1).get());
    }
}
