package dev.moat.bench.chain;

import dev.moat.core.chain.FilterInstance;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.Verdict;
import dev.moat.filter.testkit.StageOutcome;
import java.io.IOException;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the default chain's DATA stage goes: the DATA stage of a chain of one part only, measured like
 * {@code ChainCostBenchmark.dataStageDefaultChain}. Not run by {@code bench/chain-cost.sh}; run it with
 * <pre>
 * java -jar bench/chain-jmh/target/chain-jmh.jar DataStageBreakdown -prof dev.moat.bench.chain.CpuTimeProfiler
 * </pre>
 * Parts: {@code none} (the harness alone), each filter of the default chain that has a DATA stage, alone,
 * with its default-chain settings, and two probes of the core's shared parsers that those filters call:
 * {@code core-headers} ({@code MessageView.headers()}, the header parse) and {@code core-parts}
 * ({@code MessageView.parts()}, the Mime4j walk). In the whole chain each parser runs once per message,
 * for the first filter that asks; alone, every filter pays for the parse it uses, so the filters' figures
 * here add up to more than the chain.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
public class DataStageBreakdownBenchmark {

    @State(Scope.Thread)
    public static class OnePart extends ChainCostBenchmark.PerCall {
        @Param({"text-plain"})
        public String message;

        @Param({"none", "address-rewrite", "size-limit", "header-checks", "attachment-policy", "core-headers", "core-parts"})
        public String part;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(switch (part) {
                case "none" -> new Driver(Driver.Chain.EMPTY, message);
                case "core-headers" -> Driver.ofFilter(probe(part, new HeadersProbe()), message);
                case "core-parts" -> Driver.ofFilter(probe(part, new PartsProbe()), message);
                default -> Driver.ofOneFilter(part, message);
            });
        }

        private static FilterInstance probe(String name, Filter filter) {
            return FilterInstance.of(name, "probe", Duration.ofSeconds(30), filter);
        }
    }

    /** Only the core's header parse, as the first of header-checks or address-rewrite triggers it. */
    static final class HeadersProbe implements Filter {
        @Override
        public void close() {
        }

        @Override
        public Verdict data(DataContext context) throws IOException {
            return context.message().headers().isEmpty() ? Verdict.reject(554, "5.6.0", "no header") : Verdict.next();
        }
    }

    /** Only the core's MIME walk, as attachment-policy triggers it. */
    static final class PartsProbe implements Filter {
        @Override
        public void close() {
        }

        @Override
        public Verdict data(DataContext context) throws IOException {
            return context.message().parts().isEmpty() ? Verdict.reject(554, "5.6.0", "no part") : Verdict.next();
        }
    }

    /** The DATA stage of a chain of the one part. */
    @Benchmark
    public StageOutcome dataStage(OnePart state) {
        return state.driver.data();
    }
}
