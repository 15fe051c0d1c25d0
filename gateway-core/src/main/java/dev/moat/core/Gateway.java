package dev.moat.core;

import dev.moat.core.chain.FilterChain;
import dev.moat.core.chain.FilterChainBuilder;
import dev.moat.core.config.ConfigException;
import dev.moat.core.config.ConfigSource;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.delivery.CaptureDelivery;
import dev.moat.core.delivery.QuarantineRelease;
import dev.moat.core.delivery.Router;
import dev.moat.core.message.Spool;
import dev.moat.core.relay.NextHopTlsContexts;
import dev.moat.core.reload.Policy;
import dev.moat.core.reload.PolicyHolder;
import dev.moat.core.reload.ReloadReport;
import dev.moat.core.smtp.Simulation;
import dev.moat.core.smtp.SmtpServer;
import dev.moat.core.store.CaptureStore;
import dev.moat.filter.FilterFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import dev.moat.core.queue.MessageQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Moat: the spool, the capture and quarantine stores, the filter chain and the SMTP
 * listeners, started together and stopped together. Built by Guice from the configuration and the
 * filter types bound by name.
 */
@jakarta.inject.Singleton
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final MoatConfig startConfig;
    private final ConfigSource source;
    private final Map<String, FilterFactory> filterTypes;
    private final MeterRegistry registry;
    private final Clock clock;
    private Spool spool;
    private CaptureStore captureStore;
    private CaptureStore quarantineStore;
    private ExecutorService filterPool;
    /** Start-up's configuration with the reloaded sections of the latest reload. */
    private volatile MoatConfig config;
    private PolicyHolder policies;
    private SmtpServer server;
    private QuarantineRelease release;
    private final Object simulationLock = new Object();
    private final AtomicInteger simulations = new AtomicInteger();
    private ScheduledExecutorService housekeeping;
    private MessageQueue queue;

    public Gateway(MoatConfig config, Map<String, FilterFactory> filterTypes, MeterRegistry registry, Clock clock) {
        this(config, ConfigSource.none(), filterTypes, registry, clock);
    }

    @Inject
    public Gateway(MoatConfig config, ConfigSource source, Map<String, FilterFactory> filterTypes, MeterRegistry registry,
            Clock clock) {
        this.startConfig = config;
        this.config = config;
        this.source = source;
        this.filterTypes = filterTypes;
        this.registry = registry;
        this.clock = clock;
    }

    /** Opens the stores, builds the chain and binds the listeners. On failure everything opened is closed. */
    public synchronized void start() throws Exception {
        try {
            Path data = config.server().dataDirectory();
            spool = new Spool(data.resolve("spool"), (int) config.limits().memoryBuffer());
            captureStore = new CaptureStore(data.resolve("capture"), config.capture().maxMessages(), config.capture().maxAge(), clock);
            quarantineStore = new CaptureStore(data.resolve("quarantine"), config.capture().maxMessages(), config.capture().maxAge(), clock);
            filterPool = filterPool(config.server().workerThreads());
            policies = new PolicyHolder(policy(config, 1));
            Gauge.builder("moat.config.generation", policies, p -> p.current().generation())
                    .description("Generation of the running filters and routes: 1 at start, one more per successful reload")
                    .register(registry);
            Path queueDirectory = config.queue().directoryUnder(data);
            // The queue exists when a route uses it, or when an earlier configuration left mail in it.
            if (config.routes().stream().anyMatch(r -> r.mode().usesQueue()) || Files.isDirectory(queueDirectory)) {
                queue = new MessageQueue(config.queue(), queueDirectory, () -> policies.current().router(),
                        new CaptureDelivery(captureStore), () -> policies.current().relayTls(),
                        config.server().hostname(), registry, clock);
                queue.start();
            }
            server = new SmtpServer(config.listeners(), config.server().hostname(), config.limits(),
                    config.server().workerThreads(), policies, new CaptureDelivery(captureStore),
                    new CaptureDelivery(quarantineStore), spool, registry, clock, config.auth(),
                    Optional.ofNullable(queue));
            server.start();
            release = new QuarantineRelease(quarantineStore, new CaptureDelivery(captureStore), policies,
                    config.server().hostname(), registry, Optional.ofNullable(queue));
            housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "moat-housekeeping");
                t.setDaemon(true);
                return t;
            });
            // Age-based retention must run even when no mail arrives to trigger it.
            housekeeping.scheduleWithFixedDelay(this::enforceRetention, 1, 1, TimeUnit.MINUTES);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Checks everything start-up would check, without binding or opening the stores: the filter
     * chain (types, settings, factories), the listeners' and the admin server's certificates and
     * keys, the routes' TLS settings. Throws {@link dev.moat.core.config.ConfigException} naming the key.
     */
    public void check() {
        ExecutorService pool = filterPool(1);
        try {
            new FilterChainBuilder(filterTypes).build(config.filters(), pool, registry).close();
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < config.listeners().size(); i++) {
            var tls = config.listeners().get(i).tls();
            var pairs = tls.allCertificates();
            for (int j = 0; j < pairs.size(); j++) {
                String keyPath = "listeners[" + i + "].tls" + (j == 0 ? "" : ".additional-certificates[" + (j - 1) + "]");
                dev.moat.core.smtp.TlsContexts.read(pairs.get(j).certificate(), pairs.get(j).key(), keyPath);
            }
        }
        new NextHopTlsContexts(config.routes());
        config.admin().tls().ifPresent(tls ->
                dev.moat.core.smtp.TlsContexts.serverContext(tls.certificate(), tls.key(), "admin.tls"));
        dev.moat.core.auth.AuthFiles.users(config.auth());
        dev.moat.core.auth.AuthFiles.senders(config.auth());
    }

    /** Builds what a reload replaces; a {@link ConfigException} names the key and leaves nothing open. */
    private Policy policy(MoatConfig next, long generation) {
        FilterChain chain = new FilterChainBuilder(filterTypes).build(next.filters(), filterPool, registry);
        try {
            return new Policy(generation, clock.instant(), next.filters(), chain, next.routes(), new Router(next.routes()),
                    new NextHopTlsContexts(next.routes()));
        } catch (RuntimeException | Error e) {
            chain.close();
            throw e;
        }
    }

    /**
     * Reads the configuration file again and applies it ({@link #apply}).
     *
     * @throws ConfigException naming the key and the reason; the running configuration is unchanged
     */
    public ReloadReport reload() {
        MoatConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            rejected(e);
            throw e;
        }
        return apply(next);
    }

    /**
     * Applies the reloadable sections ({@link ReloadReport#APPLIED}) of {@code next}: builds its
     * filter chain and routes, and swaps them in atomically. Connections open now finish on the
     * filters and routes they started with; new connections get the new ones. The replaced filters
     * are closed when the last connection using them closes. Changes to other sections are
     * reported, not applied.
     *
     * @throws ConfigException naming the key if the new chain or routes cannot be built; nothing changes
     * @throws IllegalStateException if the gateway is not running
     */
    public synchronized ReloadReport apply(MoatConfig next) {
        if (server == null) {
            throw new IllegalStateException("the gateway is not running");
        }
        MoatConfig running = config;
        Policy built;
        try {
            built = policy(next, policies.current().generation() + 1);
        } catch (ConfigException e) {
            rejected(e);
            throw e;
        }
        policies.swap(built);
        config = new MoatConfig(running.server(), running.listeners(), running.limits(), next.filters(), next.routes(),
                running.capture(), running.admin(), running.auth(), running.plugins(), running.queue());
        List<String> restart = new ArrayList<>();
        if (!next.server().equals(startConfig.server())) {
            restart.add("server");
        }
        if (!next.listeners().equals(startConfig.listeners())) {
            restart.add("listeners");
        }
        if (!next.limits().equals(startConfig.limits())) {
            restart.add("limits");
        }
        if (!next.capture().equals(startConfig.capture())) {
            restart.add("capture");
        }
        if (!next.admin().equals(startConfig.admin())) {
            restart.add("admin");
        }
        if (!next.auth().equals(startConfig.auth())) {
            restart.add("auth");
        }
        // Plugins are loaded once, at start: a new or replaced plugin needs a restart. A changed
        // setting of a plugin's filter is a filters change and is applied.
        if (!next.plugins().equals(startConfig.plugins())) {
            restart.add("plugins");
        }
        if (!next.queue().equals(startConfig.queue())) {
            restart.add("queue");
        }
        ReloadReport report = new ReloadReport(built.generation(), built.loadedAt(),
                !next.filters().equals(running.filters()), !next.routes().equals(running.routes()), restart);
        Counter.builder("moat.config.reloads").description("Configuration reloads, by result")
                .tag("result", "applied").register(registry).increment();
        LOG.info("Configuration reloaded: generation {}, {} filter(s), {} route(s){}", built.generation(),
                next.filters().size(), next.routes().size(), restart.isEmpty() ? ""
                        : "; changes to " + String.join(", ", restart) + " take effect only after a restart");
        return report;
    }

    private void rejected(ConfigException e) {
        Counter.builder("moat.config.reloads").description("Configuration reloads, by result")
                .tag("result", "rejected").register(registry).increment();
        LOG.warn("Configuration reload refused, the running configuration is unchanged: {}", e.getMessage());
    }

    /**
     * Filter calls run here so that a call can be abandoned at its timeout. Bounded: when every thread
     * is stuck in a filter, further calls answer 451 at once instead of queueing without limit.
     */
    private static ExecutorService filterPool(int workerThreads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, workerThreads * 2, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "moat-filter-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return pool;
    }

    private void enforceRetention() {
        for (CaptureStore store : new CaptureStore[] {captureStore, quarantineStore}) {
            try {
                store.enforceRetention();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Retention of {} failed", store.directory(), e);
            }
        }
    }

    public Map<String, InetSocketAddress> boundAddresses() {
        return server.boundAddresses();
    }

    public CaptureStore captureStore() {
        return captureStore;
    }

    public CaptureStore quarantineStore() {
        return quarantineStore;
    }

    public Spool spool() {
        return spool;
    }

    /** The durable queue, if a route uses it (or an earlier configuration left mail in it). */
    public Optional<MessageQueue> queue() {
        return Optional.ofNullable(queue);
    }

    /** The current filter chain (for reading: a connection uses the one it started with). */
    public FilterChain chain() {
        return policies.current().chain();
    }

    /** The current filters and routes, with reference counting for whoever runs them. */
    public PolicyHolder policies() {
        return policies;
    }

    /**
     * The effective configuration: start-up's, with the {@code filters} and {@code routes} of the
     * latest reload.
     */
    public MoatConfig config() {
        return config;
    }

    /**
     * Runs a simulated session through the current filters and routes ({@link Simulation}). The
     * filters are fresh instances of the current configuration with their own throwaway metrics,
     * built for this call and closed after it, so a simulation changes no live filter's state
     * (rate counters, caches) and counts in no live metric. One simulation at a time.
     *
     * @throws ConfigException if the current filters cannot be built now (e.g. a file they read is gone)
     */
    public Simulation.Result simulate(Simulation.Request request) throws IOException {
        synchronized (simulationLock) {
            Policy policy;
            ExecutorService pool;
            synchronized (this) {
                if (server == null) {
                    throw new IllegalStateException("the gateway is not running");
                }
                policy = policies.current();
                pool = filterPool;
            }
            FilterChain chain = new FilterChainBuilder(filterTypes).build(policy.filters(), pool,
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            try {
                return new Simulation(chain, policy.router(), spool, "simulation-" + simulations.incrementAndGet()).run(request);
            } finally {
                chain.close();
            }
        }
    }

    /** Delivers quarantined messages on an operator's request. */
    public QuarantineRelease quarantineRelease() {
        return release;
    }

    /** Where the configuration is reloaded from. */
    public ConfigSource source() {
        return source;
    }

    /**
     * Drains: stops accepting, lets transactions between DATA and their reply finish for up to
     * {@code grace}, then tells the remaining clients 421 and closes everything.
     */
    public synchronized void shutdown(Duration grace) {
        if (server == null) {
            close();
            return;
        }
        server.stopAccepting();
        long deadline = System.nanoTime() + grace.toNanos();
        while (server.activeTransactions() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (server.activeTransactions() > 0) {
            LOG.warn("{} transaction(s) still in progress after {}; closing them (clients will retry)",
                    server.activeTransactions(), grace);
        }
        server.disconnectAll();
        close();
    }

    @Override
    public synchronized void close() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
            housekeeping = null;
        }
        if (server != null) {
            server.close();
            server = null;
            try {
                spool.sweep(); // whatever a session could not clean up before its pool stopped
            } catch (IOException e) {
                LOG.warn("Could not clear the spool {}", spool.directory(), e);
            }
        }
        if (queue != null) {
            queue.close();
            queue = null;
        }
        if (policies != null) {
            policies.close();
            policies = null;
        }
        if (filterPool != null) {
            filterPool.shutdownNow();
            filterPool = null;
        }
    }

    /** For tests and the admin API: the spool file count must be 0 when no transaction is in flight. */
    public long spoolFiles() throws IOException {
        return spool.fileCount();
    }
}
