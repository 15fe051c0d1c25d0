package dev.moat.core.plugin;

import dev.moat.core.testing.PluginJars;
import java.nio.file.Path;

/**
 * Sources of the plugins the loader tests deploy, compiled at test time into jars that exist only
 * in a plugin directory.
 */
final class TestPlugins {

    private TestPlugins() {
    }

    /**
     * Type {@code stamp}: adds {@code X-Stamp: <text>} at DATA. {@code throw-at: <stage>} throws
     * from that stage; {@code block-at: rcpt} never returns for recipients named {@code slow@...}
     * (ignoring interrupts, as a badly written plugin would); {@code guava-probe: true} adds
     * {@code X-Guava: <jar of the Guava it sees>} and {@code X-Context-Loader: <the thread's context loader>}. {@code api-token} is declared secret.
     */
    static final String STAMP = """
            package stamp;

            import dev.moat.filter.*;
            import java.util.List;
            import java.util.Set;

            public final class StampPlugin implements FilterPlugin {
                @Override
                public List<FilterFactory> factories() {
                    return List.of(new FilterFactory() {
                        @Override public String type() { return TYPE; }
                        @Override public Set<String> settingKeys() { return Set.of("text", "throw-at", "block-at", "guava-probe", "api-token"); }
                        @Override public Set<String> secretKeys() { return Set.of("api-token"); }
                        @Override public Filter create(FilterSettings s) {
                            return new StampFilter(s.string("text", "stamped"), s.string("throw-at", ""), s.string("block-at", ""),
                                    s.bool("guava-probe", false));
                        }
                    });
                }

                static final String TYPE = "TYPE_NAME";

                static final class StampFilter implements Filter {
                    private final String text, throwAt, blockAt;
                    private final boolean guava;
                    StampFilter(String text, String throwAt, String blockAt, boolean guava) {
                        this.text = text; this.throwAt = throwAt; this.blockAt = blockAt; this.guava = guava;
                    }
                    private void maybeThrow(String stage) {
                        if (stage.equals(throwAt)) {
                            throw new IllegalStateException("plugin failure at " + stage);
                        }
                    }
                    @Override public Verdict connect(ConnectContext c) { maybeThrow("connect"); return Verdict.next(); }
                    @Override public Verdict helo(HeloContext c) { maybeThrow("helo"); return Verdict.next(); }
                    @Override public Verdict mailFrom(MailContext c) { maybeThrow("mail"); return Verdict.next(); }
                    @Override public Verdict rcptTo(RcptContext c) {
                        maybeThrow("rcpt");
                        if (blockAt.equals("rcpt") && c.recipient().localPart().equals("slow")) {
                            while (true) {
                                try {
                                    Thread.sleep(60_000);
                                } catch (InterruptedException ignored) {
                                    // a badly written plugin: it swallows the interrupt and keeps waiting
                                }
                            }
                        }
                        return Verdict.next();
                    }
                    @Override public Verdict data(DataContext c) throws Exception {
                        maybeThrow("data");
                        c.headers().add(new Header("X-Stamp", text));
                        if (guava) {
                            c.headers().add(new Header("X-Guava", GuavaProbe.describe()));
                            c.headers().add(new Header("X-Context-Loader", Thread.currentThread().getContextClassLoader().getName()));
                        }
                        return Verdict.next();
                    }
                    @Override public void disconnect(DisconnectContext c) { maybeThrow("disconnect"); }
                }
            }
            """;

    /** Without Guava: the probe has nothing to report. */
    static final String NO_GUAVA_PROBE = """
            package stamp;
            final class GuavaProbe {
                static String describe() { return "none"; }
            }
            """;

    /** With Guava: the jar its ImmutableList came from, through Guava's own Joiner. */
    static final String GUAVA_PROBE = """
            package stamp;
            final class GuavaProbe {
                static String describe() throws Exception {
                    String jar = java.nio.file.Path.of(com.google.common.collect.ImmutableList.class
                            .getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
                    return com.google.common.base.Joiner.on(' ').join(java.util.List.of(jar, "ok"));
                }
            }
            """;

    /** Writes the stamp plugin (type {@code type}) as {@code <plugins>/<name>/stamp.jar}. */
    static Path stamp(Path plugins, String name, String type) {
        return PluginJars.builder("stamp")
                .source("stamp.StampPlugin", STAMP.replace("TYPE_NAME", type))
                .source("stamp.GuavaProbe", NO_GUAVA_PROBE)
                .provider("stamp.StampPlugin")
                .writeTo(plugins.resolve(name));
    }

    /** A stamp plugin compiled against, and bundling, the Guava jar given by the build. */
    static Path stampWithGuava(Path plugins, String name) throws Exception {
        Path guava = Path.of(System.getProperty("plugin-test.guava.jar"));
        Path dir = plugins.resolve(name);
        PluginJars.builder("stamp").source("stamp.StampPlugin", STAMP.replace("TYPE_NAME", "stamp"))
                .source("stamp.GuavaProbe", GUAVA_PROBE)
                .provider("stamp.StampPlugin").classPath(guava).writeTo(dir);
        java.nio.file.Files.copy(guava, dir.resolve(guava.getFileName()));
        return dir;
    }
}
