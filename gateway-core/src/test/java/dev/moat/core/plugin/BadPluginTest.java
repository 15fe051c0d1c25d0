package dev.moat.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.PluginsConfig;
import dev.moat.core.testing.PluginJars;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of broken plugin: start-up fails naming the plugin and the reason, or with
 * {@code on-error: skip} the plugin is left out, reported, and the rest of the gateway works.
 */
class BadPluginTest {

    @TempDir
    Path dir;

    private static final String PLUGIN_HEAD = """
            package bad;
            import dev.moat.filter.*;
            import java.util.List;
            import java.util.Set;
            public final class BadPlugin implements FilterPlugin {
            """;

    private static String plugin(String body) {
        return PLUGIN_HEAD + body + "\n}\n";
    }

    private static final String ONE_TYPE = """
                public List<FilterFactory> factories() {
                    return List.of(new FilterFactory() {
                        public String type() { return "TYPE"; }
                        public Set<String> settingKeys() { return Set.of(); }
                        public Filter create(FilterSettings s) { return new Filter() { }; }
                    });
                }
            """;

    /** Writes one broken plugin named "bad" into the plugin directory. */
    static Stream<Arguments> badPlugins() {
        return Stream.of(
                Arguments.of("another major filter API version", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin(ONE_TYPE.replace("TYPE", "bad-type")))
                                .provider("bad.BadPlugin").apiVersion("2.0").writeTo(plugins.resolve("bad")),
                        "it was built for filter API 2.0, but this Moat provides filter API 1.0"),
                Arguments.of("a newer minor filter API version", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin(ONE_TYPE.replace("TYPE", "bad-type")))
                                .provider("bad.BadPlugin").apiVersion("1.7").writeTo(plugins.resolve("bad")),
                        "built for filter API 1.7, newer than this Moat's 1.0"),
                Arguments.of("no API version in the manifest", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin(ONE_TYPE.replace("TYPE", "bad-type")))
                                .provider("bad.BadPlugin").apiVersion(null).writeTo(plugins.resolve("bad")),
                        "bad.jar does not record the filter API version it was built against (manifest attribute Moat-Filter-Api-Version"),
                Arguments.of("no provider", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin(ONE_TYPE.replace("TYPE", "bad-type")))
                                .writeTo(plugins.resolve("bad")),
                        "no provider: none of its jars lists a dev.moat.filter.FilterPlugin in META-INF/services/dev.moat.filter.FilterPlugin"),
                Arguments.of("no jar at all", (BiConsumer<Path, String>) (plugins, x) -> {
                    try {
                        Files.createDirectories(plugins.resolve("bad"));
                        Files.writeString(plugins.resolve("bad/notes.txt"), "not a jar");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, "the directory holds no .jar file"),
                Arguments.of("a provider class that is missing", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").provider("bad.Missing").writeTo(plugins.resolve("bad")),
                        "its FilterPlugin provider cannot be created: dev.moat.filter.FilterPlugin: Provider bad.Missing not found"),
                Arguments.of("a constructor that throws", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin("""
                                    public BadPlugin() { throw new IllegalStateException("no licence key"); }
                                """ + ONE_TYPE.replace("TYPE", "bad-type"))).provider("bad.BadPlugin").writeTo(plugins.resolve("bad")),
                        "java.lang.IllegalStateException: no licence key"),
                Arguments.of("factories() that throws", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin("""
                                    public List<FilterFactory> factories() { throw new IllegalArgumentException("broken"); }
                                """)).provider("bad.BadPlugin").writeTo(plugins.resolve("bad")),
                        "bad.BadPlugin.factories() failed: java.lang.IllegalArgumentException: broken"),
                Arguments.of("no filter types", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin("""
                                    public List<FilterFactory> factories() { return List.of(); }
                                """)).provider("bad.BadPlugin").writeTo(plugins.resolve("bad")),
                        "bad.BadPlugin.factories() returned no filter types"),
                Arguments.of("a type name that is not kebab-case", (BiConsumer<Path, String>) (plugins, x) ->
                        PluginJars.builder("bad").source("bad.BadPlugin", plugin(ONE_TYPE.replace("TYPE", "Bad_Type")))
                                .provider("bad.BadPlugin").writeTo(plugins.resolve("bad")),
                        "has the type name 'Bad_Type', which is not kebab-case"),
                Arguments.of("a type name another plugin provides", (BiConsumer<Path, String>) (plugins, x) ->
                        TestPlugins.stamp(plugins, "bad", "stamp"),
                        "the filter type 'stamp' is provided twice: by plugin 'a-good' and by plugin 'bad'"));
    }

    @ParameterizedTest(name = "{0}: start-up fails naming the plugin")
    @MethodSource("badPlugins")
    void startUpFails(String kind, BiConsumer<Path, String> writer, String reason) throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "a-good", "stamp");
        writer.accept(plugins, kind);
        ConfigException e = assertThrows(ConfigException.class,
                () -> PluginLoader.load(new PluginsConfig(Optional.of(plugins), true, PluginsConfig.OnError.FAIL)));
        assertEquals("plugins", e.keyPath());
        assertTrue(e.getMessage().startsWith("plugins: filter plugin 'bad' (" + plugins.resolve("bad") + ") cannot be loaded: "),
                e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest(name = "{0}: with on-error skip the plugin is left out and reported")
    @MethodSource("badPlugins")
    void skipped(String kind, BiConsumer<Path, String> writer, String reason) throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "a-good", "stamp");
        writer.accept(plugins, kind);
        try (FilterTypes types = PluginLoader.load(new PluginsConfig(Optional.of(plugins), true, PluginsConfig.OnError.SKIP))) {
            assertEquals(List.of("a-good", "bad"), types.plugins().stream().map(PluginReport::name).toList());
            PluginReport bad = types.plugins().get(1);
            assertEquals("skipped", bad.status());
            assertEquals(List.of(), bad.types());
            assertTrue(bad.problem().orElseThrow().contains(reason), bad.problem().orElseThrow());
            assertEquals(List.of("stamp"), List.copyOf(types.factories().keySet()));
        }
    }

    @Test
    void aSkippedPluginLeavesTheGatewayWorking() throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "a-good", "stamp");
        PluginJars.builder("bad").provider("bad.Missing").writeTo(plugins.resolve("bad"));
        Path data = Files.createDirectories(dir.resolve("data"));
        try (TestGateway gw = TestGateway.builder(data).yaml(String.join("\n",
                "plugins:",
                "  directory: \"" + plugins + "\"",
                "  on-error: skip",
                "filters:",
                "  - type: stamp",
                "")).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 "));
            c.send("EHLO client.example\r\n");
            c.reply();
            c.command("MAIL FROM:<a@client.example>");
            c.command("RCPT TO:<b@example.com>");
            c.command("DATA");
            c.send("Subject: x\r\n\r\nbody\r\n");
            assertTrue(c.command(".").startsWith("250 "));
        }
    }

    @Test
    void startingTheGatewayWithABadPluginFailsWithTheReason() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJars.builder("bad").source("bad.BadPlugin", plugin(ONE_TYPE.replace("TYPE", "bad-type")))
                .provider("bad.BadPlugin").apiVersion("2.0").writeTo(plugins.resolve("bad"));
        Path data = Files.createDirectories(dir.resolve("data"));
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.builder(data)
                .yaml("plugins:\n  directory: \"" + plugins + "\"\n").start());
        assertTrue(e.getMessage().contains("filter plugin 'bad'") && e.getMessage().contains("filter API 2.0"), e.getMessage());
    }

    @Test
    void anExplicitDirectoryMustExistAndOnErrorMustBeKnown() {
        ConfigException missing = assertThrows(ConfigException.class, () -> dev.moat.core.config.ConfigLoader.parse(
                "plugins:\n  directory: \"" + dir.resolve("nowhere") + "\"\n", java.util.Map.of()));
        assertEquals("plugins.directory", missing.keyPath());
        ConfigException policy = assertThrows(ConfigException.class, () -> dev.moat.core.config.ConfigLoader.parse(
                "plugins:\n  on-error: ignore\n", java.util.Map.of()));
        assertEquals("plugins.on-error", policy.keyPath());
        ConfigException unknown = assertThrows(ConfigException.class, () -> dev.moat.core.config.ConfigLoader.parse(
                "plugins:\n  dir: x\n", java.util.Map.of()));
        assertEquals("plugins.dir", unknown.keyPath());
    }
}
