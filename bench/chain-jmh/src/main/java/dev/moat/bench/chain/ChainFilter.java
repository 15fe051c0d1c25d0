package dev.moat.bench.chain;

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
import java.util.List;

/**
 * A whole filter chain as one {@link Filter}, so that one {@code FilterHarness} can drive it: each stage
 * calls, in configuration order, the filters whose class implements that stage (as the gateway's
 * {@code FilterChain} does, using the same {@link FilterInstance#stages()}), all with the one context
 * object the harness made for the stage (as the gateway passes one context to every filter of a stage),
 * and the first verdict other than {@code next} ends the stage. {@code disconnect} reaches every filter.
 *
 * <p>What it leaves out of the gateway's runtime: the hand-off of each stage to the filter pool, the
 * per-filter timeout watch and the per-filter metrics (see {@link RuntimeBridgeFilter} for a variant
 * that goes through the real {@code FilterChain}).
 */
@SuppressWarnings("try") // Filter.close() throws Exception, as the SPI declares it
final class ChainFilter implements Filter {

    private final List<FilterInstance> all;
    private final Filter[] connect;
    private final Filter[] helo;
    private final Filter[] mailFrom;
    private final Filter[] rcptTo;
    private final Filter[] data;
    private final Filter[] disconnect;

    ChainFilter(List<FilterInstance> filters) {
        this.all = List.copyOf(filters);
        this.connect = implementing(Stage.CONNECT);
        this.helo = implementing(Stage.HELO);
        this.mailFrom = implementing(Stage.MAIL_FROM);
        this.rcptTo = implementing(Stage.RCPT_TO);
        this.data = implementing(Stage.DATA);
        this.disconnect = implementing(Stage.DISCONNECT);
    }

    /** No filter at all: the harness's own cost. */
    static ChainFilter empty() {
        return new ChainFilter(List.of());
    }

    List<FilterInstance> filters() {
        return all;
    }

    private Filter[] implementing(Stage stage) {
        return all.stream().filter(f -> f.stages().contains(stage)).map(FilterInstance::filter).toArray(Filter[]::new);
    }

    @Override
    public Verdict connect(ConnectContext context) throws Exception {
        for (Filter f : connect) {
            Verdict v = checked(f.connect(context));
            if (v.kind() != Verdict.Kind.NEXT) {
                return v;
            }
        }
        return Verdict.next();
    }

    @Override
    public Verdict helo(HeloContext context) throws Exception {
        for (Filter f : helo) {
            Verdict v = checked(f.helo(context));
            if (v.kind() != Verdict.Kind.NEXT) {
                return v;
            }
        }
        return Verdict.next();
    }

    @Override
    public Verdict mailFrom(MailContext context) throws Exception {
        for (Filter f : mailFrom) {
            Verdict v = checked(f.mailFrom(context));
            if (v.kind() != Verdict.Kind.NEXT) {
                return v;
            }
        }
        return Verdict.next();
    }

    @Override
    public Verdict rcptTo(RcptContext context) throws Exception {
        for (Filter f : rcptTo) {
            Verdict v = checked(f.rcptTo(context));
            if (v.kind() != Verdict.Kind.NEXT) {
                return v;
            }
        }
        return Verdict.next();
    }

    @Override
    public Verdict data(DataContext context) throws Exception {
        for (Filter f : data) {
            Verdict v = checked(f.data(context));
            if (v.kind() != Verdict.Kind.NEXT) {
                return v;
            }
        }
        return Verdict.next();
    }

    @Override
    public void disconnect(DisconnectContext context) throws Exception {
        for (Filter f : disconnect) {
            f.disconnect(context);
        }
    }

    @Override
    public void close() throws Exception {
        for (FilterInstance f : all) {
            f.filter().close();
        }
    }

    private static Verdict checked(Verdict verdict) {
        if (verdict == null) {
            throw new IllegalStateException("a filter returned null instead of a verdict");
        }
        return verdict;
    }
}
