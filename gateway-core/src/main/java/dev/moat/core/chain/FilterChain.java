package dev.moat.core.chain;

import dev.moat.filter.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured filters stage by stage. A stage's filters run in configuration order on the
 * filter pool, one task per stage, while the calling session thread watches each filter's deadline:
 * a filter that overruns its timeout or throws ends the stage with {@code 451 4.3.0} (fail safe), and
 * its name is logged. Filters that do not implement a stage cost nothing for it.
 * Thread-safe; shared by all sessions.
 */
public final class FilterChain implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FilterChain.class);
    static final Verdict FILTER_FAILED = Verdict.tempfail(451, "4.3.0", "Temporary filter failure, try again later");
    static final Verdict POOL_EXHAUSTED = Verdict.tempfail(451, "4.3.0", "Server busy, try again later");

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final List<FilterInstance> filters;
    private final Map<Stage, List<FilterInstance>> byStage = new EnumMap<>(Stage.class);
    private final ExecutorService pool;
    private final MeterRegistry metrics;
    private final AutoCloseable afterClose;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public FilterChain(List<FilterInstance> filters, ExecutorService pool, MeterRegistry metrics) {
        this(filters, pool, metrics, () -> { });
    }

    /**
     * @param afterClose run once by {@link #close()} after the filters are closed: withdraws what
     *     the filters published (their gauges)
     */
    public FilterChain(List<FilterInstance> filters, ExecutorService pool, MeterRegistry metrics, AutoCloseable afterClose) {
        this.afterClose = java.util.Objects.requireNonNull(afterClose, "afterClose");
        this.filters = List.copyOf(filters);
        this.pool = pool;
        this.metrics = metrics;
        for (Stage stage : Stage.values()) {
            byStage.put(stage, this.filters.stream().filter(f -> f.stages().contains(stage)).toList());
        }
    }

    public List<FilterInstance> filters() {
        return filters;
    }

    /** True if at least one filter implements {@code stage}. */
    public boolean hasStage(Stage stage) {
        return !byStage.get(stage).isEmpty();
    }

    /** Runs {@code stage}; never throws, never blocks longer than the sum of its filters' timeouts. */
    public StageResult run(Stage stage, FilterCall call) {
        return run(stage, byStage.get(stage), call);
    }

    /**
     * Calls every filter of a notice stage ({@code disconnect}), each under its own timeout, whatever
     * the others do: one failing filter must not keep the next from releasing its state.
     */
    public void notifyEach(Stage stage, FilterCall call) {
        for (FilterInstance instance : byStage.get(stage)) {
            run(stage, List.of(instance), call);
        }
    }

    /**
     * Runs one filter of this chain for {@code stage}, under its timeout, as {@link #run} would
     * (a timeout or an exception is the same 451 verdict); for the admin API's simulation, which
     * reports every filter's verdict. Never throws.
     */
    public StageResult runOne(Stage stage, FilterInstance instance, FilterCall call) {
        if (!filters.contains(instance) || !instance.stages().contains(stage)) {
            throw new IllegalArgumentException("filter '" + instance.name() + "' does not run at stage " + stage.label());
        }
        return run(stage, List.of(instance), call);
    }

    private StageResult run(Stage stage, List<FilterInstance> active, FilterCall call) {
        if (active.isEmpty()) {
            return StageResult.NEXT;
        }
        Progress progress = new Progress();
        Future<StageResult> task;
        try {
            task = pool.submit(() -> runAll(stage, active, call, progress));
        } catch (RejectedExecutionException e) {
            LOG.warn("Filter pool exhausted; answering 451 at stage {}", stage.label());
            return new StageResult(POOL_EXHAUSTED, Optional.empty(), "filter pool exhausted");
        }
        while (true) {
            int index = progress.index;
            long deadline = progress.startedNanos + active.get(index).timeout().toNanos();
            // Wait in short slices: when the next filter starts, its own deadline applies.
            long wait = Math.min(deadline - System.nanoTime(), SLICE_NANOS);
            try {
                return task.get(Math.max(wait, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (progress.index == index && System.nanoTime() - deadline >= 0) {
                    progress.abandoned = true;
                    task.cancel(true);
                    FilterInstance late = active.get(index);
                    LOG.warn("Filter '{}' ({}) exceeded its timeout of {} at stage {}; answering 451",
                            late.name(), late.type(), late.timeout(), stage.label());
                    record(late, stage, "timeout", late.timeout().toNanos());
                    return new StageResult(FILTER_FAILED, Optional.of(late), "timeout");
                }
            } catch (InterruptedException e) {
                task.cancel(true);
                Thread.currentThread().interrupt();
                return new StageResult(FILTER_FAILED, Optional.empty(), "interrupted");
            } catch (ExecutionException e) {
                LOG.error("Filter chain failed at stage {}", stage.label(), e.getCause());
                return new StageResult(FILTER_FAILED, Optional.empty(), "internal error");
            }
        }
    }

    private StageResult runAll(Stage stage, List<FilterInstance> active, FilterCall call, Progress progress) {
        for (int i = 0; i < active.size(); i++) {
            FilterInstance instance = active.get(i);
            progress.begin(i);
            Verdict verdict;
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            try {
                // A plugin's libraries may look classes up through the context loader (ServiceLoader, JAXB...).
                ClassLoader own = instance.filter().getClass().getClassLoader();
                if (own != null) {
                    thread.setContextClassLoader(own);
                }
                verdict = call.call(instance.filter());
                if (verdict == null) {
                    throw new IllegalStateException("returned null instead of a verdict");
                }
            } catch (Exception | LinkageError | AssertionError e) {
                if (progress.abandoned) {
                    return StageResult.NEXT; // abandoned after a timeout; the caller has answered already
                }
                LOG.warn("Filter '{}' ({}) failed at stage {}; answering 451", instance.name(), instance.type(),
                        stage.label(), e);
                record(instance, stage, "error", System.nanoTime() - progress.startedNanos);
                return new StageResult(FILTER_FAILED, Optional.of(instance), "error: " + e.getClass().getSimpleName());
            } finally {
                thread.setContextClassLoader(previous);
            }
            if (progress.abandoned) {
                return StageResult.NEXT;
            }
            record(instance, stage, verdict.label(), System.nanoTime() - progress.startedNanos);
            if (verdict.kind() != Verdict.Kind.NEXT) {
                return new StageResult(verdict, Optional.of(instance), "");
            }
        }
        return StageResult.NEXT;
    }

    private void record(FilterInstance instance, Stage stage, String verdict, long nanos) {
        Counter.builder("moat.filter.verdicts")
                .description("Verdicts given by each filter instance, per stage")
                .tag("filter", instance.name()).tag("type", instance.type())
                .tag("stage", stage.label()).tag("verdict", verdict)
                .register(metrics).increment();
        Timer.builder("moat.filter.duration")
                .description("Time spent in each filter instance, per stage")
                .tag("filter", instance.name()).tag("type", instance.type()).tag("stage", stage.label())
                .register(metrics).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Closes every filter; errors are logged, not thrown. Only the first call does anything. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        for (FilterInstance instance : filters) {
            try {
                instance.filter().close();
            } catch (Exception e) {
                LOG.warn("Filter '{}' failed to close", instance.name(), e);
            }
        }
        try {
            afterClose.close();
        } catch (Exception e) {
            LOG.warn("Releasing the filter chain's metrics failed", e);
        }
    }

    /** True once {@link #close()} ran: the filters are closed and must not be called any more. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Which filter of the stage is running, and since when; written by the task, read by the watcher. */
    private static final class Progress {
        volatile int index;
        volatile long startedNanos = System.nanoTime();
        volatile boolean abandoned;

        void begin(int i) {
            startedNanos = System.nanoTime();
            index = i;
        }
    }
}
