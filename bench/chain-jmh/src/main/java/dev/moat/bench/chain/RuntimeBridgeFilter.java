package dev.moat.bench.chain;

import dev.moat.core.chain.FilterChain;
import dev.moat.core.chain.FilterInstance;
import dev.moat.core.chain.Stage;
import dev.moat.filter.ConnectContext;
import dev.moat.filter.DataContext;
import dev.moat.filter.DisconnectContext;
import dev.moat.filter.Filter;
import dev.moat.filter.HeloContext;
import dev.moat.filter.MailContext;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chain run by the gateway's own runtime, {@code dev.moat.core.chain.FilterChain}: each stage is one
 * task on a filter pool built like {@code Gateway}'s (0 core threads, 2 × 64 max, a
 * {@code SynchronousQueue}), the calling thread watches the filters' deadlines, and every call is
 * recorded in a {@code SimpleMeterRegistry} (the gateway's default). Wrapped in one {@link Filter} so
 * the harness supplies the contexts and the spooled message. The hand-off to another thread makes wall
 * time larger than the CPU time of either thread; this variant is for context, not for the CPU goal.
 */
final class RuntimeBridgeFilter implements Filter {

    private final ThreadPoolExecutor pool;
    private final FilterChain chain;

    RuntimeBridgeFilter(List<FilterInstance> filters) {
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(0, 2 * 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "moat-filter-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.chain = new FilterChain(filters, pool, new SimpleMeterRegistry());
    }

    @Override
    public Verdict connect(ConnectContext context) {
        return chain.run(Stage.CONNECT, f -> f.connect(context)).verdict();
    }

    @Override
    public Verdict helo(HeloContext context) {
        return chain.run(Stage.HELO, f -> f.helo(context)).verdict();
    }

    @Override
    public Verdict mailFrom(MailContext context) {
        return chain.run(Stage.MAIL_FROM, f -> f.mailFrom(context)).verdict();
    }

    @Override
    public Verdict rcptTo(RcptContext context) {
        return chain.run(Stage.RCPT_TO, f -> f.rcptTo(context)).verdict();
    }

    @Override
    public Verdict data(DataContext context) {
        return chain.run(Stage.DATA, f -> f.data(context)).verdict();
    }

    @Override
    public void disconnect(DisconnectContext context) {
        chain.notifyEach(Stage.DISCONNECT, f -> {
            f.disconnect(context);
            return Verdict.next();
        });
    }

    @Override
    public void close() {
        chain.close();
        pool.shutdownNow();
    }
}
