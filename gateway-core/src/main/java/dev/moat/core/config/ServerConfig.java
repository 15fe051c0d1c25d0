package dev.moat.core.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Process-wide settings (YAML block {@code server}).
 *
 * @param hostname the name Moat gives itself in the greeting banner, the EHLO reply and the
 *     {@code Received:} header; by default the machine's canonical host name, because a gateway
 *     that introduces itself as {@code localhost} on the internet looks like spam to its peers
 * @param dataDirectory the root of everything Moat writes: {@link #spoolDirectory()}, {@link
 *     #captureDirectory()} and {@link #quarantineDirectory()}; relative paths are resolved
 *     against the working directory of the process
 * @param workerThreads the size of the pool that runs work which may block (filters doing DNS or
 *     I/O, delivery) off the network event loop
 * @param shutdownGrace how long a stopping Moat lets open transactions finish before it closes
 *     the remaining connections
 */
public record ServerConfig(String hostname, Path dataDirectory, int workerThreads, Duration shutdownGrace) {

    /** Default of {@code data-directory}. */
    public static final Path DEFAULT_DATA_DIRECTORY = Path.of("./data");

    /** Default of {@code worker-threads}. */
    public static final int DEFAULT_WORKER_THREADS = 64;

    /** Smallest allowed {@code worker-threads}. */
    public static final int MIN_WORKER_THREADS = 1;

    /** Largest allowed {@code worker-threads}. */
    public static final int MAX_WORKER_THREADS = 1024;

    /** Default of {@code shutdown-grace}. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    /** Largest allowed {@code shutdown-grace}; zero is allowed and means "close at once". */
    public static final Duration MAX_SHUTDOWN_GRACE = Duration.ofHours(1);

    public ServerConfig {
        Objects.requireNonNull(hostname, "hostname");
        if (!DomainNames.isValid(hostname)) {
            throw new IllegalArgumentException("hostname is not a valid host name: '" + hostname + "'");
        }
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Checks.inRange("workerThreads", workerThreads, MIN_WORKER_THREADS, MAX_WORKER_THREADS);
        Checks.inRange("shutdownGrace", shutdownGrace, Duration.ZERO, MAX_SHUTDOWN_GRACE);
    }

    /** The server block used when the configuration has none. */
    public static ServerConfig defaults() {
        return new ServerConfig(
                defaultHostname(), DEFAULT_DATA_DIRECTORY, DEFAULT_WORKER_THREADS, DEFAULT_SHUTDOWN_GRACE);
    }

    /**
     * The machine's canonical host name, or {@code localhost} when it cannot be found or is not a
     * valid host name. Looked up once per process: the lookup may wait on DNS, and two loads of
     * the same file must give equal configurations.
     */
    public static String defaultHostname() {
        return DefaultHostname.VALUE;
    }

    /** Where messages are spooled while a transaction is open: {@code <data-directory>/spool}. */
    public Path spoolDirectory() {
        return dataDirectory.resolve("spool");
    }

    /** Where the capture store keeps messages: {@code <data-directory>/capture}. */
    public Path captureDirectory() {
        return dataDirectory.resolve("capture");
    }

    /** Where quarantined messages are kept: {@code <data-directory>/quarantine}. */
    public Path quarantineDirectory() {
        return dataDirectory.resolve("quarantine");
    }

    private static final class DefaultHostname {
        static final String VALUE = lookUp();

        private static String lookUp() {
            try {
                String name = InetAddress.getLocalHost().getCanonicalHostName();
                return DomainNames.isValid(name) ? name : "localhost";
            } catch (Exception e) {
                return "localhost";
            }
        }
    }
}
