package dev.moat.bench.chain;

import dev.moat.core.chain.FilterInstance;
import dev.moat.filter.Filter;
import dev.moat.filter.SessionInfo;
import dev.moat.filter.Verdict;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filter.testkit.StageOutcome;
import dev.moat.filter.testkit.TestSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One {@link FilterHarness} around a whole chain ({@link ChainFilter}, or the gateway's runtime through
 * {@link RuntimeBridgeFilter}), driven through SMTP transactions. Every step's verdict is checked, so a
 * benchmark can never silently measure a refused path: a refusal throws and fails the run.
 *
 * <p>Each transaction is a new connection from the next of 65,536 client addresses (198.18.0.0/16, the
 * benchmarking range, outside the chain's trusted network), so connection-policy counts and checks every
 * client for real without its rate limits (30 connections a minute, 100 messages an hour per client)
 * ever tripping in a benchmark fork, and its state stays under its 100,000 tracked clients.
 */
final class Driver implements AutoCloseable {

    static final int CLIENTS = 1 << 16;

    private final Path workDir;
    private final FilterHarness harness;
    private final SessionInfo[] sessions = new SessionInfo[CLIENTS];
    private final byte[] message;
    private final Map<String, String> mailParameters;
    private final Verdict.Kind rcptVerdict;
    private int next;
    private boolean connected;

    enum Chain {
        /** No filter: the harness's own cost. */
        EMPTY,
        /** The default perimeter chain, each stage's filters called in order by {@link ChainFilter}. */
        DEFAULT,
        /** The default chain run by the gateway's {@code FilterChain} (pool hand-off, metrics). */
        DEFAULT_VIA_RUNTIME
    }

    /** A driver of one of the chains above. */
    Driver(Chain chain, String messageShape) throws IOException {
        this(chain, null, messageShape);
    }

    /**
     * A driver of a chain of only the default chain's filter named {@code filterName} (as configured in
     * the default chain), for the per-filter breakdown.
     */
    static Driver ofOneFilter(String filterName, String messageShape) throws IOException {
        return new Driver(null, filterName, messageShape);
    }

    /** A driver of a chain of one given filter (no recipient acceptance: RCPT answers {@code next}). */
    static Driver ofFilter(FilterInstance filter, String messageShape) throws IOException {
        return new Driver(null, filter, messageShape);
    }

    private Driver(Chain chain, Object single, String messageShape) throws IOException {
        this.workDir = Files.createTempDirectory("moat-chain-jmh");
        Filter filter;
        Verdict.Kind rcpt = Verdict.Kind.NEXT;
        if (single instanceof FilterInstance instance) {
            filter = new ChainFilter(List.of(instance));
        } else if (single instanceof String name) {
            List<FilterInstance> all = DefaultChain.build(workDir);
            FilterInstance instance = all.stream().filter(f -> f.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no filter named '" + name + "' in the default chain"));
            for (FilterInstance other : all) {
                if (other != instance) {
                    closeQuietly(other.filter());
                }
            }
            filter = new ChainFilter(List.of(instance));
            rcpt = name.equals("relay-rules") ? Verdict.Kind.ACCEPT : Verdict.Kind.NEXT;
        } else if (chain == Chain.EMPTY) {
            filter = ChainFilter.empty();
        } else {
            List<FilterInstance> filters = DefaultChain.build(workDir);
            filter = chain == Chain.DEFAULT ? new ChainFilter(filters) : new RuntimeBridgeFilter(filters);
            rcpt = Verdict.Kind.ACCEPT; // relay-rules accepts the recipient
        }
        this.harness = FilterHarness.of(filter);
        // Without relay-rules nobody accepts the recipient: the harness counts `next` as accepted (the
        // gateway's catch-all capture route would too).
        this.rcptVerdict = rcpt;
        this.message = TestMessages.of(messageShape);
        this.mailParameters = Map.of("SIZE", Integer.toString(message.length));
        for (int i = 0; i < CLIENTS; i++) {
            sessions[i] = TestSession.builder()
                    .id("bench-" + i)
                    .clientIp("198.18." + (i >>> 8) + "." + (i & 0xFF))
                    .clientPort(1024 + (i % 60000))
                    .helo(null) // before EHLO; helo() sets it
                    .build();
        }
    }

    /** A new connection (after the previous one's disconnect notice), EHLO, MAIL FROM and RCPT TO. */
    void openTransaction() {
        if (connected) {
            harness.disconnect();
        }
        harness.newConnection(sessions[next++ & (CLIENTS - 1)]);
        connected = true;
        expect("connect", harness.connect(), Verdict.Kind.NEXT);
        expect("helo", harness.helo(DefaultChain.HELO, true), Verdict.Kind.NEXT);
        expect("mailFrom", harness.mailFrom(DefaultChain.SENDER, mailParameters).verdict(), Verdict.Kind.NEXT);
        expect("rcptTo", harness.rcptTo(DefaultChain.RECIPIENT).verdict(), rcptVerdict);
    }

    /** The DATA stage of the open transaction: spools the message and runs the chain's data stage. */
    StageOutcome data() {
        StageOutcome outcome = harness.data(message);
        expect("data", outcome.verdict(), Verdict.Kind.NEXT);
        return outcome;
    }

    /** A whole connection: connect, EHLO, MAIL FROM, RCPT TO, DATA, and the disconnect notice. */
    StageOutcome transaction() {
        openTransaction();
        StageOutcome outcome = data();
        harness.disconnect();
        connected = false;
        return outcome;
    }

    /** The delivered bytes of the last DATA (for the self-check). */
    byte[] delivered() {
        return harness.deliveredMessage();
    }

    byte[] message() {
        return message.clone();
    }

    @Override
    public void close() {
        try {
            if (connected) {
                harness.disconnect();
            }
            harness.close();
        } finally {
            try (Stream<Path> paths = Files.walk(workDir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void closeQuietly(Filter filter) {
        try {
            filter.close();
        } catch (Exception e) {
            // a filter the benchmark does not use; nothing to do
        }
    }

    private static void expect(String stage, Verdict verdict, Verdict.Kind kind) {
        if (verdict.kind() != kind) {
            throw new IllegalStateException(stage + ": expected " + kind + " but the chain answered " + verdict);
        }
    }
}
