package dev.moat.core.smtp;

import dev.moat.core.auth.AuthFiles;
import dev.moat.core.auth.AuthMetrics;
import dev.moat.core.auth.AuthThrottle;
import dev.moat.core.auth.SenderLogins;
import dev.moat.core.auth.UserStore;
import dev.moat.core.config.AuthConfig;
import dev.moat.core.config.ConfigException;
import dev.moat.core.config.LimitsConfig;
import dev.moat.core.config.ListenerConfig;
import dev.moat.core.config.ProxyProtocolConfig;
import dev.moat.core.config.TlsMode;
import dev.moat.core.delivery.CaptureDelivery;
import dev.moat.core.delivery.Delivery;
import dev.moat.core.message.Spool;
import dev.moat.core.reload.PolicyHolder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.NonStickyEventExecutorGroup;
import io.netty.util.concurrent.UnorderedThreadPoolEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import dev.moat.core.queue.MessageQueue;
import java.util.concurrent.TimeUnit;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moat's own server shell around James's SMTP protocol (instead of James's {@code NettyServer}):
 * one Netty bootstrap per listener over shared thread groups. The event loops only do TLS, framing,
 * limits and timers; every James handler, filter and delivery runs on the session pool, whose
 * executors keep each connection's events in order without pinning it to one thread (so a slow
 * filter never stalls other connections). Threads are named {@code moat-*} and all are shut down by
 * {@link #close()}.
 */
public final class SmtpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);

    static {
        // TLS 1.2 renegotiation started by the client costs the server a handshake each time and serves
        // no SMTP client: refuse it unless the operator decided otherwise (read once, at the first handshake).
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    private final List<ListenerConfig> listeners;
    private final String hostname;
    private final LimitsConfig limits;
    private final PolicyHolder policies;
    private final Delivery captureDelivery;
    private final CaptureDelivery quarantine;
    private final Spool spool;
    private final MeterRegistry registry;
    private final Clock clock;
    private final TransactionTracker tracker = new TransactionTracker();
    private final Optional<MessageQueue> queue;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final UnorderedThreadPoolEventExecutor sessionPool;
    private final EventExecutorGroup sessionGroup;
    private final ChannelGroup serverChannels = new DefaultChannelGroup("moat-listeners", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup clientChannels = new DefaultChannelGroup("moat-clients", GlobalEventExecutor.INSTANCE);
    private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
    /** One limiter for all listeners: the caps are for the whole gateway. */
    private final ConnectionLimiter limiter;
    /** Checks the listeners' certificate files for changes. */
    private final ScheduledExecutorService tlsReloads = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("moat-tls-reload", true));
    private final AuthConfig auth;
    /** AUTH state shared by the submission listeners; null when there are none. */
    private final UserStore users;
    private final SenderLogins senders;
    private final AuthThrottle throttle;
    private final AuthMetrics authMetrics;

    public SmtpServer(List<ListenerConfig> listeners, String hostname, LimitsConfig limits, int workerThreads,
            PolicyHolder policies, Delivery captureDelivery, CaptureDelivery quarantine, Spool spool,
            MeterRegistry registry, Clock clock, AuthConfig auth) {
        this(listeners, hostname, limits, workerThreads, policies, captureDelivery, quarantine, spool, registry, clock,
                auth, Optional.empty());
    }

    public SmtpServer(List<ListenerConfig> listeners, String hostname, LimitsConfig limits, int workerThreads,
            PolicyHolder policies, Delivery captureDelivery, CaptureDelivery quarantine, Spool spool,
            MeterRegistry registry, Clock clock, AuthConfig auth, Optional<MessageQueue> queue) {
        this.queue = queue;
        this.listeners = List.copyOf(listeners);
        this.hostname = hostname;
        this.limits = limits;
        this.policies = policies;
        this.captureDelivery = captureDelivery;
        this.quarantine = quarantine;
        this.spool = spool;
        this.registry = registry;
        this.clock = clock;
        this.acceptGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("moat-accept", true));
        this.ioGroup = new NioEventLoopGroup(0, new DefaultThreadFactory("moat-io", true));
        this.sessionPool = new UnorderedThreadPoolEventExecutor(workerThreads, new DefaultThreadFactory("moat-session", true));
        this.sessionGroup = new NonStickyEventExecutorGroup(sessionPool);
        this.limiter = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerIp(), hostname);
        this.auth = auth;
        if (listeners.stream().anyMatch(l -> l.role().requiresAuth())) {
            this.users = AuthFiles.users(auth).orElseThrow(() -> new ConfigException("auth.users-file",
                    "required because a listener has role submission or submissions"));
            this.senders = AuthFiles.senders(auth);
            this.throttle = new AuthThrottle(auth, clock);
            this.authMetrics = new AuthMetrics(registry, throttle);
        } else {
            this.users = null;
            this.senders = null;
            this.throttle = null;
            this.authMetrics = null;
        }
    }

    private Optional<Submission> submission(ListenerConfig listener) {
        if (!listener.role().requiresAuth()) {
            return Optional.empty();
        }
        return Optional.of(new Submission(listener.role(), auth, users, senders, throttle, authMetrics));
    }

    /** Binds every listener; on failure, whatever was bound is closed again and the exception is thrown. */
    public synchronized void start() throws Exception {
        try {
            for (ListenerConfig listener : listeners) {
                bind(listener);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void bind(ListenerConfig listener) throws Exception {
        String keyPath = "listeners[" + listeners.indexOf(listener) + "].tls";
        ServerTls encryption = listener.tls().enabled() ? new ServerTls(listener.name(), listener.tls(), keyPath, registry) : null;
        if (encryption != null && !encryption.reloadInterval().isZero()) {
            long every = encryption.reloadInterval().toMillis();
            tlsReloads.scheduleWithFixedDelay(() -> {
                try {
                    encryption.reloadIfChanged();
                } catch (RuntimeException e) {
                    LOG.error("Listener '{}': certificate reload check failed", listener.name(), e);
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
        SmtpMetrics metrics = new SmtpMetrics(registry, listener.name());
        ConnectionMetricsHandler connectionMetrics = new ConnectionMetricsHandler(metrics);
        SessionServices services = new SessionServices(listener.name(), hostname, limits, policies,
                captureDelivery, quarantine, spool, tracker, clock, metrics, submission(listener), queue);
        InvalidCommandLimiter invalidCommands = new InvalidCommandLimiter(limits.maxInvalidCommands(), hostname);
        SMTPProtocol protocol = new SMTPProtocol(
                SmtpHandlerChain.build(new MicrometerMetricFactory(registry), services, invalidCommands),
                new GatewaySmtpConfiguration(hostname, limits.maxMessageSize()));
        int maxLine = Math.max(limits.maxCommandLineLength(), limits.maxDataLineLength() + 2) + 2;

        // Behind a PROXY-protocol gate these are installed only once the header named the client.
        java.util.function.Consumer<Channel> installSession = channel -> {
            var pipeline = channel.pipeline();
            if (encryption != null && !encryption.isStartTLS()) {
                pipeline.addLast(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
            }
            pipeline.addLast("connectionLimit", limiter);
            pipeline.addLast("connectionMetrics", connectionMetrics);
            pipeline.addLast("deadlines", new SessionDeadlines(limits.idleTimeout(), limits.commandTimeout(),
                    limits.dataTimeout(), hostname));
            pipeline.addLast(HandlerConstants.FRAMER, new SmtpFramer(maxLine));
            pipeline.addLast(sessionGroup, HandlerConstants.CORE_HANDLER,
                    new GatewayChannelHandler(protocol, encryption, hostname, limits.maxCommandLineLength(),
                            invalidCommands, metrics));
        };
        ProxyProtocolConfig proxy = listener.proxyProtocol();
        Counter proxyUntrusted = proxy.enabled() ? ProxyProtocolGate.refusals(registry, listener.name(), "untrusted") : null;
        Counter proxyHeader = proxy.enabled() ? ProxyProtocolGate.refusals(registry, listener.name(), "header") : null;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 250)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        clientChannels.add(channel);
                        if (proxy.enabled()) {
                            channel.pipeline().addLast(ProxyProtocolGate.DECODER, new HAProxyMessageDecoder());
                            channel.pipeline().addLast("proxyGate", new ProxyProtocolGate(proxy, limits.commandTimeout(),
                                    installSession, proxyUntrusted, proxyHeader));
                        } else {
                            installSession.accept(channel);
                        }
                    }
                });
        Channel channel = bootstrap.bind(listener.address()).sync().channel();
        serverChannels.add(channel);
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        bound.put(listener.name(), address);
        LOG.info("Listener '{}' accepting SMTP on {} (role: {}, tls: {}{})", listener.name(), address,
                listener.role().yamlName(), listener.tls().mode().name().toLowerCase(java.util.Locale.ROOT),
                proxy.enabled() ? ", PROXY protocol from " + proxy.trustedProxies() : "");
    }

    /** The address each listener is bound to, by listener name (the real port when 0 was configured). */
    public synchronized Map<String, InetSocketAddress> boundAddresses() {
        return Map.copyOf(bound);
    }

    /** Stops accepting new connections; open ones go on. */
    public void stopAccepting() {
        serverChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Transactions between DATA and their final reply. */
    public int activeTransactions() {
        return tracker.active();
    }

    public int openConnections() {
        return clientChannels.size();
    }

    /** Tells every client {@code 421 4.3.2} and closes its connection. */
    public void disconnectAll() {
        for (Channel channel : clientChannels) {
            ConnectionState.of(channel).closing = true;
            channel.writeAndFlush(Unpooled.copiedBuffer("421 4.3.2 " + hostname + " Service shutting down\r\n",
                    StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
        }
        clientChannels.newCloseFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Closes everything and ends every thread this server started. */
    @Override
    public synchronized void close() {
        tlsReloads.shutdownNow();
        serverChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        clientChannels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // The sessions of the connections just closed clean up (spool files) on the session pool:
        // give that a moment before the pool stops taking tasks.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (tracker.active() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Session tasks still hand channel events back to the event loops while they wind down, so
        // the session pool stops first and the event loops get a short quiet period after it.
        sessionPool.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        acceptGroup.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        ioGroup.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
