package dev.moat.bench.chain;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, next to JMH's wall time: {@code -prof dev.moat.bench.chain.CpuTimeProfiler}.
 * Wall time is only an upper bound of CPU time, and a loose one on a loaded machine (a thread waiting
 * for a core still ages), so the CPU goal is checked on these figures, in µs per operation:
 * <ul>
 *   <li>{@code cpu.call}: CPU time of the benchmark thread inside the measured call, taken between the
 *       end of the per-call setup and the start of the per-call teardown (benchmarks with a
 *       {@code Level.Invocation} setup only; it includes JMH's few nanoseconds of timing around the
 *       call);</li>
 *   <li>{@code cpu.thread}: CPU time of the benchmark thread over the whole iteration, divided by the
 *       operations (for {@code Level.Invocation} benchmarks this includes the unmeasured setup);</li>
 *   <li>{@code cpu.process}: CPU time of the whole JVM (garbage collector and JIT compiler included)
 *       over the iteration, divided by the operations.</li>
 * </ul>
 */
public final class CpuTimeProfiler implements InternalProfiler {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final AtomicLong CALL_NANOS = new AtomicLong();
    private static final AtomicLong CALLS = new AtomicLong();

    private long processStart;
    private Map<Long, Long> workerStart = new HashMap<>();

    /** The benchmark thread's CPU clock, in ns. */
    static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Records one measured call's CPU time (called from a {@code Level.Invocation} teardown). */
    static void recordCall(long cpuNanos) {
        CALL_NANOS.addAndGet(cpuNanos);
        CALLS.incrementAndGet();
    }

    @Override
    public String getDescription() {
        return "CPU time per operation: benchmark thread (per call and per iteration) and whole JVM";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        CALL_NANOS.set(0);
        CALLS.set(0);
        workerStart = workerCpu();
        processStart = OS.getProcessCpuTime();
    }

    @Override
    public List<ScalarResult> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        long process = OS.getProcessCpuTime() - processStart;
        long worker = 0;
        for (Map.Entry<Long, Long> e : workerCpu().entrySet()) {
            worker += e.getValue() - workerStart.getOrDefault(e.getKey(), 0L);
        }
        long ops = result.getMetadata().getAllOps();
        List<ScalarResult> results = new ArrayList<>();
        if (ops > 0) {
            long calls = CALLS.get();
            if (calls > 0) {
                results.add(new ScalarResult("cpu.call", CALL_NANOS.get() / 1e3 / calls, "us/op", AggregationPolicy.AVG));
            }
            results.add(new ScalarResult("cpu.thread", worker / 1e3 / ops, "us/op", AggregationPolicy.AVG));
            results.add(new ScalarResult("cpu.process", process / 1e3 / ops, "us/op", AggregationPolicy.AVG));
        }
        return results;
    }

    /** CPU time so far of each JMH worker thread (the threads that run the benchmark), by thread id. */
    private static Map<Long, Long> workerCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("jmh-worker")) {
                long nanos = THREADS.getThreadCpuTime(t.getId());
                if (nanos >= 0) {
                    cpu.put(t.getId(), nanos);
                }
            }
        }
        return cpu;
    }
}
