package dev.moat.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.MailContext;
import dev.moat.filter.NoteKey;
import dev.moat.filter.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chain runtime on its own: order, first decision wins, deadlines, failures, metrics, stage detection. */
class FilterChainTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /** A filter whose data stage logs its name, optionally sleeps, then answers {@code verdict}. */
    private Filter data(String name, long sleepMillis, Verdict verdict) {
        return new Filter() {
            @Override
            public Verdict data(DataContext context) throws Exception {
                calls.add(name);
                if (sleepMillis > 0) {
                    Thread.sleep(sleepMillis);
                }
                return verdict;
            }
        };
    }

    private static FilterInstance instance(String name, Duration timeout, Filter filter) {
        return FilterInstance.of(name, "t-" + name, timeout, filter);
    }

    private FilterChain chain(FilterInstance... instances) {
        return new FilterChain(List.of(instances), pool, metrics);
    }

    private StageResult runData(FilterChain chain) {
        return chain.run(Stage.DATA, f -> f.data(null));
    }

    private double count(String filter, String verdict) {
        Counter c = metrics.find("moat.filter.verdicts").tag("filter", filter).tag("verdict", verdict).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void filtersRunInOrderAndTheFirstDecisionEndsTheStage() {
        FilterChain chain = chain(
                instance("a", Duration.ofSeconds(1), data("a", 0, Verdict.next())),
                instance("b", Duration.ofSeconds(1), data("b", 0, Verdict.quarantine("b says"))),
                instance("c", Duration.ofSeconds(1), data("c", 0, Verdict.reject("c says"))));
        StageResult result = runData(chain);
        assertEquals(Verdict.quarantine("b says"), result.verdict());
        assertEquals("b", result.decidedBy().orElseThrow().name());
        assertEquals(List.of("a", "b"), calls);
        assertEquals(1, count("a", "next"));
        assertEquals(1, count("b", "quarantine"));
        assertEquals(0, count("c", "reject"));
    }

    @Test
    void allNextIsNextDecidedByNobody() {
        FilterChain chain = chain(instance("a", Duration.ofSeconds(1), data("a", 0, Verdict.next())));
        assertSame(StageResult.NEXT, runData(chain));
    }

    @Test
    void aStageNoFilterImplementsIsSkippedWithoutUsingThePool() {
        ExecutorService refusing = new AbstractExecutorService() {
            @Override public void shutdown() { }
            @Override public List<Runnable> shutdownNow() { return List.of(); }
            @Override public boolean isShutdown() { return false; }
            @Override public boolean isTerminated() { return false; }
            @Override public boolean awaitTermination(long t, TimeUnit u) { return true; }
            @Override public void execute(Runnable r) { throw new RejectedExecutionException("must not be used"); }
        };
        FilterChain chain = new FilterChain(List.of(instance("a", Duration.ofSeconds(1), data("a", 0, Verdict.reject("x")))),
                refusing, metrics);
        assertFalse(chain.hasStage(Stage.MAIL_FROM));
        assertSame(StageResult.NEXT, chain.run(Stage.MAIL_FROM, f -> f.mailFrom(null)));
        StageResult busy = runData(chain);
        assertEquals("451 4.3.0 Server busy, try again later", busy.verdict().reply().orElseThrow().toString());
        assertEquals(Optional.empty(), busy.decidedBy());
    }

    @Test
    void eachFilterHasItsOwnDeadline() {
        // three calls of 150 ms, 450 ms in all: more than any one timeout, yet each call is in time
        FilterChain chain = chain(
                instance("a", Duration.ofMillis(400), data("a", 150, Verdict.next())),
                instance("b", Duration.ofMillis(400), data("b", 150, Verdict.next())),
                instance("c", Duration.ofMillis(400), data("c", 150, Verdict.accept())));
        StageResult result = runData(chain);
        assertEquals(Verdict.accept(), result.verdict());
        assertEquals(List.of("a", "b", "c"), calls);
    }

    @Test
    void aFilterOverrunningItsTimeoutEndsTheStageWith451NamingIt() {
        FilterChain chain = chain(
                instance("slow", Duration.ofMillis(200), data("slow", 5000, Verdict.accept())),
                instance("never", Duration.ofSeconds(1), data("never", 0, Verdict.accept())));
        long t0 = System.nanoTime();
        StageResult result = runData(chain);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis >= 190 && millis < 1000, "451 after " + millis + " ms");
        assertEquals("451 4.3.0 Temporary filter failure, try again later", result.verdict().reply().orElseThrow().toString());
        assertEquals("slow", result.decidedBy().orElseThrow().name());
        assertEquals("timeout", result.detail());
        assertEquals(List.of("slow"), calls);
        assertEquals(1, count("slow", "timeout"));
    }

    /**
     * The watcher must switch to the next filter's deadline as soon as that filter starts. The first
     * filter takes 100 ms (well within its 3 s) so that the watcher is surely waiting on its deadline
     * when the second one, with 200 ms, begins to hang.
     */
    @Test
    void aLaterFilterIsHeldToItsOwnTimeoutNotToWhatWasLeftOfAnEarlierFilters() {
        FilterChain chain = chain(
                instance("fast", Duration.ofSeconds(3), data("fast", 100, Verdict.next())),
                instance("slow", Duration.ofMillis(200), data("slow", 5000, Verdict.accept())),
                instance("never", Duration.ofSeconds(1), data("never", 0, Verdict.accept())));
        long t0 = System.nanoTime();
        StageResult result = runData(chain);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // 100 ms in the first filter + the second filter's own 200 ms, not what was left of the first's 3 s.
        assertTrue(millis >= 290 && millis < 1000, "451 after " + millis + " ms; expected about 300 ms");
        assertEquals("451 4.3.0 Temporary filter failure, try again later", result.verdict().reply().orElseThrow().toString());
        assertEquals("slow", result.decidedBy().orElseThrow().name());
        assertEquals("timeout", result.detail());
        assertEquals(List.of("fast", "slow"), calls);
    }

    /**
     * A call abandoned at its timeout is interrupted; a filter blocked in sleep/IO then throws
     * InterruptedException, which clears the interrupt flag. The chain must still treat it as
     * abandoned: one "timeout" count, no "error" count and no second failure for the same call.
     */
    @Test
    void anAbandonedCallIsCountedOnceAsTimeoutNotAlsoAsError() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        Filter sleeper = new Filter() {
            @Override
            public Verdict data(DataContext context) throws Exception {
                try {
                    Thread.sleep(5000);
                    return Verdict.accept();
                } finally {
                    ended.countDown();
                }
            }
        };
        FilterChain chain = chain(instance("sleeper", Duration.ofMillis(100), sleeper));
        assertEquals("timeout", runData(chain).detail());
        assertTrue(ended.await(2, TimeUnit.SECONDS), "the abandoned call was not interrupted");
        Thread.sleep(100); // let the abandoned task finish its bookkeeping
        assertEquals(1, count("sleeper", "timeout"));
        assertEquals(0, count("sleeper", "error"), "the abandoned call was also counted as an error");
    }

    @Test
    void aThrowingFilterEndsTheStageWith451NamingIt() {
        Filter thrower = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                calls.add("thrower");
                throw new IllegalArgumentException("boom");
            }
        };
        FilterChain chain = chain(instance("thrower", Duration.ofSeconds(1), thrower),
                instance("after", Duration.ofSeconds(1), data("after", 0, Verdict.accept())));
        StageResult result = runData(chain);
        assertEquals("451 4.3.0 Temporary filter failure, try again later", result.verdict().reply().orElseThrow().toString());
        assertEquals("thrower", result.decidedBy().orElseThrow().name());
        assertEquals("error: IllegalArgumentException", result.detail());
        assertEquals(List.of("thrower"), calls);
        assertEquals(1, count("thrower", "error"));
    }

    @Test
    void anAssertionErrorOrLinkageErrorIsAFilterFailureToo() {
        Filter asserting = new Filter() {
            @Override
            public Verdict data(DataContext context) {
                throw new AssertionError("bug in filter");
            }
        };
        StageResult result = runData(chain(instance("asserting", Duration.ofSeconds(1), asserting)));
        assertEquals("error: AssertionError", result.detail());
        assertEquals(451, result.verdict().reply().orElseThrow().code());
    }

    @Test
    void aNullVerdictIsAFilterFailure() {
        StageResult result = runData(chain(instance("null", Duration.ofSeconds(1), data("null", 0, null))));
        assertEquals("451 4.3.0 Temporary filter failure, try again later", result.verdict().reply().orElseThrow().toString());
        assertEquals("null", result.decidedBy().orElseThrow().name());
        assertEquals("error: IllegalStateException", result.detail());
    }

    @Test
    void closeClosesEveryFilterOnceAndSurvivesFailures() {
        List<String> closed = new CopyOnWriteArrayList<>();
        Filter failing = new Filter() {
            @Override
            public void close() throws Exception {
                closed.add("failing");
                throw new Exception("close failed");
            }
        };
        Filter fine = new Filter() {
            @Override
            public void close() {
                closed.add("fine");
            }
        };
        chain(instance("failing", Duration.ofSeconds(1), failing), instance("fine", Duration.ofSeconds(1), fine)).close();
        assertEquals(List.of("failing", "fine"), closed);
    }

    // ---------------------------------------------------------------------------------------------
    // Stage detection

    /** A base class overriding a stage counts for its subclasses. */
    abstract static class BaseFilter implements Filter {
        @Override
        public Verdict mailFrom(MailContext context) {
            return Verdict.next();
        }
    }

    static final class Derived extends BaseFilter {
    }

    /** A filter author's own interface with a default stage method, e.g. a mix-in for DATA checks. */
    interface DataCheck extends Filter {
        @Override
        default Verdict data(DataContext context) throws Exception {
            return Verdict.reject("from the interface");
        }
    }

    static final class WithInterfaceDefault implements DataCheck {
    }

    @Test
    void stagesImplementedInASuperclassAreDetected() {
        assertEquals(Set.of(Stage.MAIL_FROM), FilterInstance.of("d", "d", Duration.ofSeconds(1), new Derived()).stages());
    }

    @Test
    void aFilterWithNoStageMethodsRunsInNoStage() {
        assertEquals(Set.of(), FilterInstance.of("n", "n", Duration.ofSeconds(1), new Filter() { }).stages());
    }

    /** Filter's contract: "override the stages you care about". A default method of a sub-interface is an override too. */
    @Test
    void stagesImplementedAsDefaultMethodsOfASubInterfaceAreDetected() {
        FilterInstance instance = FilterInstance.of("i", "i", Duration.ofSeconds(1), new WithInterfaceDefault());
        assertTrue(instance.stages().contains(Stage.DATA), "data() from DataCheck is never called: " + instance.stages());
    }

    @Test
    void filterInstanceRejectsANonPositiveTimeout() {
        assertThrows(IllegalArgumentException.class, () -> FilterInstance.of("x", "x", Duration.ZERO, new Filter() { }));
        assertThrows(IllegalArgumentException.class, () -> FilterInstance.of("x", "x", Duration.ofMillis(-1), new Filter() { }));
    }

    // ---------------------------------------------------------------------------------------------
    // Notes

    @Test
    void mapNotesKeysCompareByIdentityAndValuesAreTyped() {
        NoteKey<String> a = NoteKey.of("k", String.class);
        NoteKey<String> b = NoteKey.of("k", String.class);
        MapNotes notes = new MapNotes();
        notes.put(a, "value");
        assertEquals(Optional.of("value"), notes.get(a));
        assertEquals(Optional.empty(), notes.get(b));
        notes.put(a, "replaced");
        assertEquals(Optional.of("replaced"), notes.get(a));
        notes.remove(b);
        assertEquals(Optional.of("replaced"), notes.get(a));
        notes.remove(a);
        assertEquals(Optional.empty(), notes.get(a));
        assertThrows(NullPointerException.class, () -> notes.put(a, null));
        @SuppressWarnings({"unchecked", "rawtypes"})
        NoteKey<Object> raw = (NoteKey) NoteKey.of("n", Integer.class);
        assertThrows(ClassCastException.class, () -> notes.put(raw, "not an integer"));
    }
}
