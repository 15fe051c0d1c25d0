package dev.moat.bench.chain;

import dev.moat.filter.testkit.StageOutcome;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the default perimeter filter chain costs per 4 KiB message (issue 4: under 50 µs of CPU at the
 * data stage, without attachments). All benchmarks run on one thread and do no I/O (the 4 KiB message
 * stays in the spool's memory buffer), so their wall time per operation is an upper bound of the CPU time
 * the benchmark thread spends per operation; only {@code dataStageViaFilterChain} hands work to another
 * thread. On a loaded machine wall time also counts the time the thread waited for a core, so run with
 * {@code -prof dev.moat.bench.chain.CpuTimeProfiler} (as {@code bench/chain-cost.sh} does) to get the CPU
 * time itself.
 *
 * <ul>
 *   <li>{@code dataStageDefaultChain}: the DATA stage only; connection, EHLO, MAIL and RCPT are set up
 *       before each call, unmeasured ({@code Level.Invocation}).</li>
 *   <li>{@code emptyChainBaseline}: the same with no filter: what the harness itself costs (spooling the
 *       message into memory, the contexts). Subtract it from the one above.</li>
 *   <li>{@code wholeTransactionDefaultChain} / {@code wholeTransactionEmptyChain}: a whole connection
 *       (connect, EHLO, MAIL, RCPT, DATA, disconnect notice), measured in one piece, no per-call setup.</li>
 *   <li>{@code dataStageViaFilterChain}: the DATA stage through the gateway's own {@code FilterChain}
 *       (one hand-off to a filter-pool thread per stage, deadline watch, per-filter metrics); wall time,
 *       for context.</li>
 * </ul>
 * Ten warm-up seconds per fork, not five: on the 2-core shared machine the JIT compiler competes with
 * other work, and with five some forks were still compiling in their measured iterations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChainCostBenchmark {

    /** Base of the states: one driver per trial, verified once before measuring. */
    public abstract static class Base {
        Driver driver;
        long cpuAtCall;

        void open(Driver driver) {
            this.driver = driver;
            // Self-check: a whole transaction passes every filter and the message is delivered unchanged.
            driver.transaction();
            if (!Arrays.equals(driver.delivered(), driver.message())) {
                driver.close();
                throw new IllegalStateException("the chain changed the benchmark message");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            if (driver != null) {
                driver.close();
            }
        }

        /** Per-call setup: a fresh connection up to RCPT; then the benchmark thread's CPU clock is read. */
        void openTransaction() {
            driver.openTransaction();
            cpuAtCall = CpuTimeProfiler.threadCpuNanos();
        }

        /** Per-call teardown: the CPU time of the measured call, for {@link CpuTimeProfiler}. */
        void recordCallCpu() {
            CpuTimeProfiler.recordCall(CpuTimeProfiler.threadCpuNanos() - cpuAtCall);
        }
    }

    /**
     * Base of the states that measure one stage: before each call a fresh connection up to RCPT
     * (unmeasured), after it the call's CPU time.
     */
    public abstract static class PerCall extends Base {
        @Setup(Level.Invocation)
        public void newTransaction() {
            openTransaction();
        }

        @TearDown(Level.Invocation)
        public void afterCall() {
            recordCallCpu();
        }
    }

    @State(Scope.Thread)
    public static class DefaultChainOpenTransaction extends PerCall {
        @Param({"text-plain", "multipart-alternative"})
        public String message;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(new Driver(Driver.Chain.DEFAULT, message));
        }
    }

    @State(Scope.Thread)
    public static class EmptyChainOpenTransaction extends PerCall {
        @Param({"text-plain", "multipart-alternative"})
        public String message;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(new Driver(Driver.Chain.EMPTY, message));
        }
    }

    @State(Scope.Thread)
    public static class RuntimeChainOpenTransaction extends PerCall {
        @Param({"text-plain", "multipart-alternative"})
        public String message;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(new Driver(Driver.Chain.DEFAULT_VIA_RUNTIME, message));
        }
    }

    @State(Scope.Thread)
    public static class DefaultChain extends Base {
        @Param({"text-plain", "multipart-alternative"})
        public String message;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(new Driver(Driver.Chain.DEFAULT, message));
        }
    }

    @State(Scope.Thread)
    public static class EmptyChain extends Base {
        @Param({"text-plain", "multipart-alternative"})
        public String message;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(new Driver(Driver.Chain.EMPTY, message));
        }
    }

    /** The default chain's DATA stage over one 4 KiB message (plus the harness's spooling: see the baseline). */
    @Benchmark
    public StageOutcome dataStageDefaultChain(DefaultChainOpenTransaction state) {
        return state.driver.data();
    }

    /** The same DATA call with no filter: the harness's own cost, to subtract. */
    @Benchmark
    public StageOutcome emptyChainBaseline(EmptyChainOpenTransaction state) {
        return state.driver.data();
    }

    /** connect + EHLO + MAIL + RCPT + DATA + disconnect notice through the default chain. */
    @Benchmark
    public StageOutcome wholeTransactionDefaultChain(DefaultChain state) {
        return state.driver.transaction();
    }

    /** The same whole transaction with no filter. */
    @Benchmark
    public StageOutcome wholeTransactionEmptyChain(EmptyChain state) {
        return state.driver.transaction();
    }

    /** The default chain's DATA stage run by the gateway's FilterChain (thread hand-off, metrics). */
    @Benchmark
    public StageOutcome dataStageViaFilterChain(RuntimeChainOpenTransaction state) {
        return state.driver.data();
    }
}
