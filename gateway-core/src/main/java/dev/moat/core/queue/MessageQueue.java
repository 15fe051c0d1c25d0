package dev.moat.core.queue;

import dev.moat.core.config.QueueConfig;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.delivery.Delivery;
import dev.moat.core.delivery.Router;
import dev.moat.core.relay.NextHopTlsContexts;
import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.MessageWriter;
import dev.moat.filter.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable queue of the {@code queue} and {@code inline-then-queue} routes: takes messages on
 * Moat's authority ({@link #accept} answers 250 only once the entry is committed to disk), delivers
 * them with {@link QueueConfig#concurrency()} workers per route, retries on the route's schedule, and
 * bounces (a DSN to the sender) what fails for good or outlives {@code max-lifetime}. Also the
 * operations of the admin API (list, flush, hold, release, delete, requeue).
 *
 * <p>Life cycle: construct (opens the directory), {@link #start()} (recovery scan, then workers),
 * {@link #close()} (workers stop after their current attempt; the queue stays on disk). Thread-safe.
 */
public final class MessageQueue implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MessageQueue.class);
    private static final Duration SPACE_CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final Duration WRITE_FAILURE_PAUSE = Duration.ofSeconds(5);

    private final QueueConfig config;
    private final QueueStore store;
    /** The routes in force now: they change with configuration reloads. */
    private final Supplier<Router> routers;
    private final Delivery captureDelivery;
    private final Supplier<NextHopTlsContexts> tls;
    private final String hostname;
    private final Clock clock;
    private final QueueMetrics metrics;
    private final Map<String, Lane.Item> items = new ConcurrentHashMap<>();
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis() * 1000);
    private volatile boolean closed;
    private volatile long spaceCheckedAt = Long.MIN_VALUE;
    private volatile boolean spaceOk = true;
    private volatile long writeFailedAt = Long.MIN_VALUE;

    /**
     * @param routers the routes in force (read at each use, so reloaded routes apply to queued mail)
     * @param captureDelivery where DSNs to senders of capture domains go
     * @param tls the next-hop TLS contexts matching {@code routers}' routes
     */
    public MessageQueue(QueueConfig config, Path directory, Supplier<Router> routers, Delivery captureDelivery,
            Supplier<NextHopTlsContexts> tls, String hostname, MeterRegistry registry, Clock clock) throws IOException {
        this.config = config;
        this.store = new QueueStore(directory);
        this.routers = routers;
        this.captureDelivery = captureDelivery;
        this.tls = tls;
        this.hostname = hostname;
        this.clock = clock;
        this.metrics = new QueueMetrics(registry);
    }

    /** Recovery: indexes every committed entry (damaged ones go to {@code corrupt/}), then starts the workers. */
    public synchronized void start() throws IOException {
        QueueStore.Scan scan = store.scan();
        for (int i = 0; i < scan.quarantined(); i++) {
            metrics.corrupt();
        }
        for (QueueStore.Entry entry : scan.entries()) {
            QueueState state;
            try {
                state = store.readState(entry.envelope().id()).orElseGet(() -> QueueState.initial(entry.envelope()));
            } catch (IOException e) {
                // A state file is only ever renamed into place whole, so this is outside damage. Deliver
                // again rather than lose the message: at worst a recipient gets it twice.
                LOG.error("Queue entry {}: state unreadable ({}); all its recipients will be tried again",
                        entry.envelope().id(), e.getMessage());
                state = QueueState.initial(entry.envelope());
            }
            add(entry, state);
        }
        for (RouteConfig route : routers.get().routes()) {
            if (route.mode().usesQueue()) {
                lane(route);
            }
        }
        LOG.info("Queue {}: {} message(s) to deliver, {} damaged entr(y/ies) set aside, {} stray state file(s) removed",
                store.root(), scan.entries().size(), scan.quarantined(), scan.orphanStates());
    }

    private void add(QueueStore.Entry entry, QueueState state) {
        Lane.Item item = new Lane.Item(entry, state);
        items.put(item.id, item);
        Optional<RouteConfig> route = routeNamed(entry.envelope().route());
        if (route.isEmpty()) {
            LOG.warn("Queue entry {}: route '{}' no longer exists and no route takes its recipients; held "
                    + "(requeue it after fixing the configuration, or delete it)", item.id, entry.envelope().route());
            item.state = state.withHeld(true);
            return;
        }
        Lane lane = lane(route.get());
        item.lane = lane;
        lane.schedule(item, state.nextAttempt().toEpochMilli());
    }

    /** The configured route of this name, if it has next hops. */
    private Optional<RouteConfig> routeNamed(String name) {
        for (RouteConfig r : routers.get().routes()) {
            if (r.name().equals(name) && r.mode().usesNextHops()) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private Lane lane(RouteConfig route) {
        return lanes.computeIfAbsent(route.name(), n -> {
            Lane lane = new Lane(route);
            metrics.gauges(n, lane, this::depth, this::oldestSeconds);
            for (int i = 0; i < config.concurrency(); i++) {
                QueueWorker worker = new QueueWorker(this, lane);
                Thread t = new Thread(worker::run, "moat-queue-" + n.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + (i + 1));
                t.setDaemon(true);
                synchronized (workers) {
                    workers.add(t);
                }
                t.start();
            }
            return lane;
        });
    }

    private double depth(Lane lane) {
        return items.values().stream().filter(i -> i.lane == lane).count();
    }

    private double oldestSeconds(Lane lane) {
        long now = clock.millis();
        return items.values().stream().filter(i -> i.lane == lane)
                .mapToLong(i -> now - i.entry.envelope().receivedAt().toEpochMilli()).max().orElse(0) / 1000.0;
    }

    // ---- accepting ----

    /**
     * Whether new mail can be queued now: false while the file system has less than {@code min-free-space}
     * usable, and for a few seconds after a failed write (then the check runs again).
     */
    public boolean accepting() {
        long now = System.nanoTime();
        if (now - writeFailedAt < WRITE_FAILURE_PAUSE.toNanos() && writeFailedAt != Long.MIN_VALUE) {
            return false;
        }
        if (spaceCheckedAt == Long.MIN_VALUE || now - spaceCheckedAt > SPACE_CHECK_INTERVAL.toNanos()) {
            try {
                spaceOk = store.usableSpace() >= config.minFreeSpace();
            } catch (IOException e) {
                spaceOk = false;
            }
            spaceCheckedAt = now;
            if (!spaceOk) {
                LOG.warn("Queue {}: less than {} bytes free; queue routes answer 452 4.3.1 until space returns",
                        store.root(), config.minFreeSpace());
            }
        }
        return spaceOk;
    }

    /**
     * Commits a message to the queue and schedules it; the reply is the client's: {@code 250} once the
     * entry is durable, {@code 452 4.3.1} if it could not be written (nothing of it remains then).
     */
    public Reply accept(QueuedEnvelope envelope, MessageWriter content) {
        try {
            enqueue(envelope, content);
            return new Reply(250, "2.0.0", "Ok: queued as " + envelope.id());
        } catch (IOException | RuntimeException e) {
            writeFailedAt = System.nanoTime();
            LOG.error("Could not queue message {} in {}", envelope.id(), store.root(), e);
            return new Reply(452, "4.3.1", "Insufficient system storage, try again later");
        }
    }

    private void enqueue(QueuedEnvelope envelope, MessageWriter content) throws IOException {
        if (closed) {
            throw new IOException("the queue is closed");
        }
        QueueStore.Entry entry = store.enqueue(envelope, content);
        add(entry, QueueState.initial(envelope));
    }

    /** A fresh queue id for a message Moat creates itself (a DSN). */
    String newId() {
        return Long.toString(ids.incrementAndGet(), 36).toUpperCase(java.util.Locale.ROOT) + "-dsn";
    }

    // ---- used by the workers ----

    QueueConfig config() {
        return config;
    }

    QueueStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    QueueMetrics metrics() {
        return metrics;
    }

    NextHopTlsContexts tls() {
        return tls.get();
    }

    /** The lane's route as configured now (after a reload: its new next hops and settings). */
    RouteConfig currentRoute(Lane lane) {
        return routeNamed(lane.route.name()).orElse(lane.route);
    }

    String hostname() {
        return hostname;
    }

    boolean closed() {
        return closed;
    }

    /** The message left the queue (delivered or bounced for every recipient, or deleted). */
    void removed(Lane.Item item) {
        items.remove(item.id, item);
    }

    /**
     * Sends a DSN about {@code original} to its sender, through the route of the sender's domain. Never
     * for the null sender. Throws if it cannot be stored (the caller then keeps its own state unchanged
     * and tries again later).
     */
    void sendDsn(QueuedEnvelope original, QueueStore.Entry entry, List<DsnReport.Recipient> recipients) throws IOException {
        if (original.sender().isEmpty() || recipients.isEmpty()) {
            return;
        }
        String sender = original.sender();
        String domain = sender.substring(sender.lastIndexOf('@') + 1);
        Optional<RouteConfig> route = routers.get().routeFor(domain);
        Instant now = clock.instant();
        String id = newId();
        DsnReport report = new DsnReport(hostname, original, recipients, now, id);
        MessageWriter content = out -> {
            try (InputStream in = store.openMessage(entry)) {
                report.writeTo(out, in);
            }
        };
        if (route.isEmpty()) {
            LOG.warn("DSN for {} to <{}> dropped: no route for {}", original.id(), sender, domain);
            metrics.dsn("dropped");
            return;
        }
        if (!route.get().mode().usesNextHops()) {
            Reply r = captureDelivery.deliver(new CapturedEnvelope(id, now, "queue", "", hostname, Optional.empty(),
                    Optional.empty(), Optional.empty(), "", List.of(sender), Map.of(), List.of(), Optional.empty(), 0), content);
            if (r.code() / 100 != 2) {
                throw new IOException("could not store the DSN: " + r);
            }
            metrics.dsn("stored");
            return;
        }
        Map<String, String> params = report.full() && "8BITMIME".equalsIgnoreCase(original.mailParameters().get("BODY"))
                ? Map.of("BODY", "8BITMIME") : Map.of();
        enqueue(new QueuedEnvelope(id, route.get().name(), now, "", List.of(QueuedRecipient.plain(sender)), params,
                Optional.empty(), Optional.empty(), "", hostname), content);
        metrics.dsn("queued");
        LOG.info("DSN {} for {} queued to <{}>", id, original.id(), sender);
    }

    // ---- operations ----

    /** Every queued message, oldest first. */
    public List<QueuedMessage> list() {
        List<QueuedMessage> all = new ArrayList<>();
        for (Lane.Item i : items.values()) {
            if (!i.deleteRequested) {
                all.add(view(i));
            }
        }
        all.sort(Comparator.comparing((QueuedMessage m) -> m.envelope().receivedAt()).thenComparing(QueuedMessage::id));
        return all;
    }

    public Optional<QueuedMessage> find(String id) {
        Lane.Item i = items.get(id);
        return i == null || i.deleteRequested ? Optional.empty() : Optional.of(view(i));
    }

    public int size() {
        return items.size();
    }

    private QueuedMessage view(Lane.Item i) {
        return new QueuedMessage(i.entry.envelope(), i.state, i.entry.bodyLength(), i.lane != null && i.lane.busy(i));
    }

    /** Makes messages due now: all of them, or one route's (by name). Returns how many. */
    public int flush(Optional<String> route) {
        int n = 0;
        for (Lane.Item i : items.values()) {
            if (i.lane != null && (route.isEmpty() || i.lane.route.name().equals(route.get())) && !i.state.held()) {
                i.lane.schedule(i, clock.millis());
                n++;
            }
        }
        return n;
    }

    /** Makes one message due now; false if unknown or held. */
    public boolean flush(String id) {
        Lane.Item i = items.get(id);
        if (i == null || i.lane == null || i.state.held()) {
            return false;
        }
        i.lane.schedule(i, clock.millis());
        return true;
    }

    /** Stops delivery attempts of a message until {@link #release}; persisted. False if unknown or in delivery now. */
    public synchronized boolean hold(String id) throws IOException {
        Lane.Item i = items.get(id);
        if (i == null || (i.lane != null && !i.lane.unschedule(i))) {
            return false;
        }
        QueueState held = i.state.withHeld(true);
        store.writeState(id, held);
        i.state = held;
        return true;
    }

    /** Ends a hold; the message is due at once. False if unknown or not held. */
    public synchronized boolean release(String id) throws IOException {
        Lane.Item i = items.get(id);
        if (i == null || !i.state.held()) {
            return false;
        }
        QueueState released = i.state.withHeld(false).withNextAttempt(clock.instant());
        if (i.lane == null) {
            Optional<RouteConfig> route = routeNamed(i.entry.envelope().route());
            if (route.isEmpty()) {
                return false;
            }
            i.lane = lane(route.get());
        }
        store.writeState(id, released);
        i.state = released;
        i.lane.schedule(i, clock.millis());
        return true;
    }

    /** Removes a message without delivering or bouncing it. If a worker has it, it goes when that attempt ends. */
    public synchronized boolean delete(String id) throws IOException {
        Lane.Item i = items.get(id);
        if (i == null || i.deleteRequested) {
            return false;
        }
        if (i.lane != null && !i.lane.unschedule(i)) {
            i.deleteRequested = true;
            return true;
        }
        store.delete(id);
        items.remove(id, i);
        LOG.info("Queue entry {} deleted by an operator", id);
        return true;
    }

    /**
     * Starts a message's schedule afresh: attempts back to zero, hold lifted, routed again by its first
     * recipient's domain under the current routes, due now. False if unknown, in delivery now, or no
     * route with next hops takes it.
     */
    public synchronized boolean requeue(String id) throws IOException {
        Lane.Item i = items.get(id);
        if (i == null || (i.lane != null && !i.lane.unschedule(i))) {
            return false;
        }
        String first = i.entry.envelope().recipients().get(0).address();
        Optional<RouteConfig> route = routers.get().routeFor(first.substring(first.lastIndexOf('@') + 1))
                .filter(r -> r.mode().usesNextHops());
        if (route.isEmpty()) {
            return false;
        }
        QueueState fresh = i.state.restarted(clock.instant());
        store.writeState(id, fresh);
        i.state = fresh;
        i.lane = lane(route.get());
        i.lane.schedule(i, clock.millis());
        return true;
    }

    public Path directory() {
        return store.root();
    }

    /** Stops the workers (each finishes its current attempt, up to {@code grace}); the queue stays on disk. */
    @Override
    public void close() {
        closed = true;
        lanes.values().forEach(Lane::close);
        List<Thread> all;
        synchronized (workers) {
            all = List.copyOf(workers);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (Thread t : all) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Thread t : all) {
            t.interrupt();
        }
    }
}
