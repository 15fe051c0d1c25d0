package dev.moat.core;

import com.google.inject.Guice;
import dev.moat.core.config.ConfigException;
import dev.moat.core.config.ConfigLoader;
import dev.moat.core.config.ConfigSource;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.inject.GatewayModule;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code moat} command: {@code moat [--config FILE]} runs the gateway (without a file: the built-in
 * sandbox default), {@code moat check-config FILE} validates, {@code moat --version} prints the version.
 * Exit codes: 0 normal (also after SIGTERM), 1 configuration error or failed start, 2 usage error.
 * SIGHUP reloads the configuration file (filters and routes; see {@link Gateway#apply}).
 */
public final class Main {

    private static final String USAGE = """
            usage: moat [--config FILE]      run the gateway (default: built-in sandbox config)
                   moat check-config FILE    validate a configuration file and exit
                   moat --version            print the version and exit
                   moat queue ...            list and manage the durable queue (moat queue for help)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.setProperty("james.protocols.mdc.hostname", "false");
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            out.println("moat " + version());
            return 0;
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(USAGE);
            return 0;
        }
        if (args.length >= 1 && args[0].equals("queue")) {
            return dev.moat.core.cli.QueueCommand.run(java.util.List.of(args).subList(1, args.length), System.getenv(), out, err);
        }
        if (args.length == 2 && args[0].equals("check-config")) {
            try {
                MoatConfig checked = ConfigLoader.load(Path.of(args[1]));
                GatewayModule module = new GatewayModule(checked);
                try {
                    Guice.createInjector(module).getInstance(Gateway.class).check();
                } finally {
                    module.types().close();
                }
                out.println("moat: " + args[1] + ": configuration OK");
                return 0;
            } catch (ConfigException e) {
                err.println("moat: " + args[1] + ": " + e.getMessage());
                return 1;
            }
        }
        MoatConfig config;
        ConfigSource source;
        if (args.length == 0) {
            config = ConfigLoader.defaults();
            source = ConfigSource.none();
        } else if (args.length == 2 && args[0].equals("--config")) {
            try {
                source = ConfigSource.file(Path.of(args[1]));
                config = source.load();
            } catch (ConfigException e) {
                err.println("moat: configuration error in " + args[1] + ": " + e.getMessage());
                return 1;
            }
        } else {
            err.print(USAGE);
            return 2;
        }
        return serve(config, source, err);
    }

    private static int serve(MoatConfig config, ConfigSource source, PrintStream err) {
        Logger log = LoggerFactory.getLogger(Main.class);
        MoatRuntime runtime;
        try {
            runtime = MoatRuntime.start(config, source);
        } catch (ConfigException e) {
            err.println("moat: configuration error: " + e.getMessage());
            return 1;
        } catch (BindException e) {
            err.println("moat: cannot listen: " + e.getMessage() + " (is another server on that port?)");
            return 1;
        } catch (Exception e) {
            err.println("moat: failed to start: " + e);
            log.error("Start-up failed", e);
            return 1;
        }
        log.info("Moat {} started; data in {}", version(), config.server().dataDirectory().toAbsolutePath().normalize());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("Shutting down: draining for up to {}", config.server().shutdownGrace());
            runtime.shutdown(config.server().shutdownGrace());
            log.info("Moat stopped");
            stopped.countDown();
            // A drained stop is a normal stop: exit 0, not the JVM's 143 for SIGTERM.
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }, "moat-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        onHangup(() -> reload(runtime, log), log);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * SIGHUP reloads, as for most Unix daemons. {@code sun.misc.Signal} is the only way a Java
     * program can catch it (jdk.unsupported, present in every JDK since 9); where the signal does not
     * exist (Windows) the admin API's reload is the way.
     */
    private static void onHangup(Runnable action, Logger log) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
        } catch (IllegalArgumentException unsupported) {
            log.info("SIGHUP is not available here ({}); reload through the admin API", unsupported.getMessage());
        }
    }

    /** Runs on the JVM's signal thread; never throws (an uncaught error there would go to stderr unlogged). */
    private static void reload(MoatRuntime runtime, Logger log) {
        log.info("SIGHUP: reloading {}", runtime.gateway().source().file().map(Path::toString).orElse("(no file)"));
        try {
            runtime.gateway().reload(); // logs the outcome itself
        } catch (ConfigException refused) {
            // logged by the gateway: the running configuration is unchanged
        } catch (RuntimeException | Error e) {
            log.error("SIGHUP: the reload failed; the running configuration is unchanged", e);
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }
}
