package dev.moat.admin;

import dev.moat.core.Gateway;
import dev.moat.core.plugin.FilterTypes;
import dev.moat.filter.FilterFactory;
import java.util.Map;
import dev.moat.core.config.MoatConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Inject;
import java.net.BindException;
import java.net.InetSocketAddress;
import org.eclipse.jetty.server.HttpConfiguration;
import dev.moat.core.smtp.TlsContexts;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: Jetty 12 with core handlers, on {@code admin.address}, serving
 * {@link AdminHandler}. One per gateway, bound in the injector as a singleton, so tests (and later
 * parts of Moat) can ask it for the bound {@link #port()} when the configured port was 0.
 *
 * <p>Threads: a small pool named {@code moat-admin-*} (daemon), plus its scheduler; all end in
 * {@link #close()}. Connections idle for {@link #IDLE_TIMEOUT_MS} are closed.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    static final int MAX_THREADS = 16;
    static final int MIN_THREADS = 2;
    static final long IDLE_TIMEOUT_MS = 30_000;

    private final MoatConfig config;
    private final Gateway gateway;
    private final PrometheusMeterRegistry registry;
    private final FilterTypes plugins;
    private final Map<String, FilterFactory> types;
    private Server server;
    private ServerConnector connector;

    @Inject
    public AdminServer(MoatConfig config, Gateway gateway, PrometheusMeterRegistry registry, FilterTypes plugins,
            Map<String, FilterFactory> types) {
        this.config = config;
        this.gateway = gateway;
        this.registry = registry;
        this.plugins = plugins;
        this.types = Map.copyOf(types);
    }

    /**
     * Binds {@code admin.address} and starts serving.
     *
     * @throws BindException naming {@code admin.address} if the address cannot be bound
     */
    public synchronized void start() throws Exception {
        if (server != null) {
            throw new IllegalStateException("the admin server is already started");
        }
        InetSocketAddress address = config.admin().address();
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("moat-admin");
        threads.setDaemon(true);
        Server jetty = new Server(threads, new ScheduledExecutorScheduler("moat-admin-scheduler", true), null);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector http1;
        if (config.admin().tls().isPresent()) {
            var tls = config.admin().tls().get();
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            // The same PEM loading and checks as the SMTP listeners; errors name admin.tls.*
            ssl.setSslContext(TlsContexts.serverContext(tls.certificate(), tls.key(), "admin.tls"));
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // Operators reach the admin server by IP or an internal name the certificate may not
            // carry; the certificate is for the client to check, not a reason to refuse requests.
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            http1 = new ServerConnector(jetty, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            http1 = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        }
        http1.setHost(address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString());
        http1.setPort(address.getPort());
        http1.setIdleTimeout(IDLE_TIMEOUT_MS);
        jetty.addConnector(http1);
        jetty.setHandler(new AdminHandler(config, gateway, registry, plugins, types));
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.setStopTimeout(2_000);
        try {
            jetty.start();
        } catch (Exception e) {
            stopQuietly(jetty);
            Throwable cause = e;
            while (cause != null && !(cause instanceof BindException)) {
                cause = cause.getCause();
            }
            if (cause != null) {
                BindException clear = new BindException("admin.address " + ConfigView.address(address) + ": "
                        + cause.getMessage());
                clear.initCause(e);
                throw clear;
            }
            throw new IllegalStateException("the admin server on admin.address " + ConfigView.address(address)
                    + " failed to start: " + e.getMessage(), e);
        }
        server = jetty;
        connector = http1;
        LOG.info("Admin API and metrics on {}://{}:{}/ (token {}, metrics {})",
                config.admin().tls().isPresent() ? "https" : "http", ConfigView.address(address)
                .replaceAll(":[0-9]+$", ""), http1.getLocalPort(), config.admin().token().isPresent() ? "set" : "not set",
                config.admin().publicMetrics() ? "public" : "behind the token");
    }

    /** The bound port (the real one when {@code admin.address} asked for port 0). */
    public synchronized int port() {
        if (connector == null) {
            throw new IllegalStateException("the admin server is not running");
        }
        return connector.getLocalPort();
    }

    /** The bound address. */
    public synchronized InetSocketAddress address() {
        return new InetSocketAddress(config.admin().address().getAddress(), port());
    }

    public synchronized boolean isRunning() {
        return server != null && server.isRunning();
    }

    /** Stops serving and ends every thread of the server. */
    @Override
    public synchronized void close() {
        if (server != null) {
            stopQuietly(server);
            server = null;
            connector = null;
        }
    }

    private static void stopQuietly(Server jetty) {
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("The admin server did not stop cleanly", e);
        }
    }
}
