package dev.moat.core.testing;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.MapBinder;
import dev.moat.core.Gateway;
import dev.moat.core.MoatRuntime;
import dev.moat.core.config.ConfigLoader;
import dev.moat.core.config.ConfigSource;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.inject.GatewayModule;
import dev.moat.core.store.CaptureStore;
import dev.moat.filter.FilterFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real gateway for tests: configured from YAML text (the {@code data-directory} and listener port 0
 * are filled in), started on loopback, with extra filter types registered through Guice exactly as
 * production types are. Close it (try-with-resources) to stop every thread it started.
 *
 * <pre>
 * try (TestGateway gw = TestGateway.builder(tempDir).yaml("limits: {max-recipients: 2}").start()) {
 *     RawSmtp c = RawSmtp.connect(gw.port());
 * }
 * </pre>
 */
public final class TestGateway implements AutoCloseable {

    private final MoatRuntime runtime;
    private final Gateway gateway;
    private final MoatConfig config;

    private final Path dataDirectory;

    private TestGateway(MoatRuntime runtime, MoatConfig config, Path dataDirectory) {
        this.runtime = runtime;
        this.gateway = runtime.gateway();
        this.config = config;
        this.dataDirectory = dataDirectory;
    }

    /**
     * The configuration file of a gateway built with {@link Builder#reloadable()}: the YAML text,
     * completed as {@link Builder#yaml} describes, written to {@code moat.yaml} beside the data.
     */
    public Path configFile() {
        return gateway.source().file().orElseThrow(() -> new IllegalStateException("not built with reloadable()"));
    }

    /** Replaces the configuration file's text (completed as {@link Builder#yaml} describes); does not reload. */
    public void writeConfig(String yaml) throws java.io.IOException {
        java.nio.file.Files.writeString(configFile(), complete(yaml, dataDirectory), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String complete(String yaml, Path dataDirectory) {
        String text = yaml;
        if (!text.contains("server:")) {
            text = "server:\n  hostname: mx.test.example\n  data-directory: \"" + dataDirectory + "\"\n" + text;
        }
        if (!text.contains("listeners:")) {
            text = text + "\nlisteners:\n  - name: test\n    address: 127.0.0.1:0\n";
        }
        return text;
    }

    /** The running process: its injector gives access to what extensions (the admin API) bound. */
    public MoatRuntime runtime() {
        return runtime;
    }

    public static Builder builder(Path dataDirectory) {
        return new Builder(dataDirectory);
    }

    /** The port of the first listener. */
    public int port() {
        return address().getPort();
    }

    public InetSocketAddress address() {
        return gateway.boundAddresses().values().iterator().next();
    }

    public InetSocketAddress address(String listener) {
        return gateway.boundAddresses().get(listener);
    }

    public CaptureStore capture() {
        return gateway.captureStore();
    }

    public CaptureStore quarantine() {
        return gateway.quarantineStore();
    }

    public Gateway gateway() {
        return gateway;
    }

    public MoatConfig config() {
        return config;
    }

    /** Spool files present now; 0 whenever no transaction is in flight. */
    public long spoolFiles() throws Exception {
        return gateway.spoolFiles();
    }

    @Override
    public void close() {
        runtime.shutdown(Duration.ofSeconds(2));
    }

    public static final class Builder {
        private final Path dataDirectory;
        private String yaml = "";
        private final List<FilterFactory> types = new ArrayList<>();
        private Map<String, String> env = Map.of();
        private boolean reloadable;

        private Builder(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
        }

        /**
         * Configuration text. If it has no {@code server:} block, one is added with the data
         * directory; if it has no {@code listeners:}, a plain listener on 127.0.0.1:0 is added.
         */
        public Builder yaml(String text) {
            this.yaml = text;
            return this;
        }

        public Builder env(Map<String, String> variables) {
            this.env = Map.copyOf(variables);
            return this;
        }

        /**
         * Writes the configuration to a file ({@link TestGateway#configFile()}) and starts from it,
         * so that {@link Gateway#reload()} reads it again.
         */
        public Builder reloadable() {
            this.reloadable = true;
            return this;
        }

        /** Registers a filter type for this gateway, as a plugin or built-in would be. */
        public Builder filterType(FilterFactory factory) {
            types.add(factory);
            return this;
        }

        public TestGateway start() throws Exception {
            String text = complete(yaml, dataDirectory);
            MoatConfig config = ConfigLoader.parse(text, env);
            ConfigSource source = ConfigSource.none();
            if (reloadable) {
                java.nio.file.Files.createDirectories(dataDirectory);
                Path file = dataDirectory.resolve("moat.yaml");
                java.nio.file.Files.writeString(file, text, java.nio.charset.StandardCharsets.UTF_8);
                source = new ConfigSource(java.util.Optional.of(file), env);
            }
            Module extra = new AbstractModule() {
                @Override
                protected void configure() {
                    MapBinder<String, FilterFactory> binder = GatewayModule.filterTypes(binder());
                    for (FilterFactory factory : types) {
                        binder.addBinding(factory.type()).toInstance(factory);
                    }
                }
            };
            return new TestGateway(MoatRuntime.start(config, source, extra), config, dataDirectory);
        }
    }
}
