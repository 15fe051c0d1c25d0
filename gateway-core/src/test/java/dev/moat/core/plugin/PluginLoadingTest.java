package dev.moat.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import dev.moat.core.config.ConfigException;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.PluginJars;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plugins from a plugin directory, through a real gateway over real sockets. */
class PluginLoadingTest {

    @TempDir
    Path dir;

    private TestGateway start(Path plugins, String filters) throws Exception {
        return start(plugins, "fail", filters);
    }

    private TestGateway start(Path plugins, String onError, String filters) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        return TestGateway.builder(data).yaml(String.join("\n",
                "plugins:",
                "  directory: \"" + plugins + "\"",
                "  on-error: " + onError,
                "filters:",
                filters,
                "")).start();
    }

    /** EHLO, MAIL, RCPT, DATA; returns the reply to the final dot. */
    private static String send(RawSmtp c, String to) throws IOException {
        assertTrue(c.lastLine().startsWith("220 "));
        c.send("EHLO client.example\r\n");
        assertTrue(c.reply().startsWith("250"));
        assertEquals("250 2.1.0 Sender <a@client.example> OK", c.command("MAIL FROM:<a@client.example>"));
        assertEquals("250 2.1.5 Recipient <" + to + "> OK", c.command("RCPT TO:<" + to + ">"));
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
        c.send("Subject: hello\r\n\r\nbody\r\n");
        return c.command(".");
    }

    private static String onlyCaptured(TestGateway gw) throws IOException {
        List<StoredMessage> stored = gw.capture().list();
        assertEquals(1, stored.size());
        try (InputStream in = gw.capture().openMessage(stored.get(0).id())) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aPluginFromItsDirectoryActsOnMessages() throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "stamper", "stamp");
        Files.writeString(plugins.resolve("README.md"), "files next to the plugin directories are ignored");
        try (TestGateway gw = start(plugins, "  - type: stamp\n    text: from-the-plugin");
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(send(c, "b@example.com").startsWith("250 "));
            String message = onlyCaptured(gw);
            assertTrue(message.contains("\r\nX-Stamp: from-the-plugin\r\nSubject: hello\r\n\r\nbody\r\n"), message);
            FilterTypes types = gw.runtime().injector().getInstance(FilterTypes.class);
            PluginReport report = types.plugins().stream().filter(p -> p.name().equals("stamper")).findFirst().orElseThrow();
            assertEquals(List.of("stamp"), report.types());
            assertEquals("loaded", report.status());
            ClassLoader loader = gw.gateway().policies().current().chain().filters().get(0).filter().getClass().getClassLoader();
            assertTrue(loader instanceof PluginClassLoader, "loaded by " + loader);
            assertEquals("moat-plugin-stamper", loader.getName());
        }
    }

    @Test
    void aPluginBundlingAnotherGuavaUsesItsOwnWhileMoatKeepsItsOwn() throws Exception {
        String pluginGuava = System.getProperty("plugin-test.guava.version");
        String moatGuava = PluginJars.locationOf(ImmutableList.class).getFileName().toString();
        assertFalse(moatGuava.contains(pluginGuava), "the test needs two different Guava versions: " + moatGuava);
        Path plugins = dir.resolve("plugins");
        TestPlugins.stampWithGuava(plugins, "guava-user");
        try (TestGateway gw = start(plugins, "  - type: stamp\n    guava-probe: true");
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(send(c, "b@example.com").startsWith("250 "));
            assertTrue(onlyCaptured(gw).contains("\r\nX-Guava: guava-" + pluginGuava + ".jar ok\r\n"), onlyCaptured(gw));
            // Libraries that look classes up through the context loader find the plugin's own.
            assertTrue(onlyCaptured(gw).contains("\r\nX-Context-Loader: moat-plugin-guava-user\r\n"), onlyCaptured(gw));
            // Moat itself still runs on its own Guava.
            assertEquals(moatGuava, PluginJars.locationOf(ImmutableList.class).getFileName().toString());
        }
    }

    @ParameterizedTest(name = "throwing at {0} answers 4xx 4.3.0 there and loses nothing")
    @ValueSource(strings = {"connect", "helo", "mail", "rcpt", "data"})
    void aPluginThrowingFromAStageFailsSafe(String stage) throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "thrower", "stamp");
        try (TestGateway gw = start(plugins, "  - type: stamp\n    throw-at: " + stage)) {
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                String failure = "451 4.3.0 Temporary filter failure, try again later";
                switch (stage) {
                    // At connect the refusal replaces the greeting, and a 4xx greeting must be 421 (RFC 5321 3.8).
                    case "connect" -> assertEquals("421" + failure.substring(3), c.lastLine());
                    case "helo" -> {
                        c.lastLine();
                        assertEquals(failure, c.command("EHLO client.example"));
                    }
                    case "mail" -> {
                        c.lastLine();
                        c.send("EHLO client.example\r\n");
                        c.reply();
                        assertEquals(failure, c.command("MAIL FROM:<a@client.example>"));
                    }
                    case "rcpt" -> {
                        c.lastLine();
                        c.send("EHLO client.example\r\n");
                        c.reply();
                        c.command("MAIL FROM:<a@client.example>");
                        assertEquals(failure, c.command("RCPT TO:<b@example.com>"));
                    }
                    default -> assertEquals(failure, send(c, "b@example.com"));
                }
            }
            assertEquals(0, gw.capture().count());
            assertEquals(0, gw.spoolFiles());
        }
    }

    @Test
    void aPluginThrowingAtDisconnectIsLoggedAndHarmless() throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "thrower", "stamp");
        try (TestGateway gw = start(plugins, "  - type: stamp\n    throw-at: disconnect")) {
            for (int i = 0; i < 2; i++) {
                try (RawSmtp c = RawSmtp.connect(gw.port())) {
                    assertTrue(send(c, "b@example.com").startsWith("250 "));
                    assertTrue(c.command("QUIT").startsWith("221 "));
                }
            }
            waitFor(() -> gw.capture().count() == 2);
        }
    }

    @Test
    void aPluginBlockingForeverTimesOutWith451AndTheGatewayGoesOn() throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "blocker", "stamp");
        try (TestGateway gw = start(plugins, "  - type: stamp\n    block-at: rcpt\n    timeout: 1s")) {
            try (RawSmtp stuck = RawSmtp.connect(gw.port()); RawSmtp other = RawSmtp.connect(gw.port())) {
                stuck.lastLine();
                stuck.send("EHLO client.example\r\n");
                stuck.reply();
                stuck.command("MAIL FROM:<a@client.example>");
                long started = System.nanoTime();
                assertEquals("451 4.3.0 Temporary filter failure, try again later", stuck.command("RCPT TO:<slow@example.com>"));
                assertTrue(System.nanoTime() - started >= 900_000_000L, "answered only after the timeout");
                // The same connection and another one go on while the plugin's thread is still stuck.
                assertEquals("250 2.1.5 Recipient <b@example.com> OK", stuck.command("RCPT TO:<b@example.com>"));
                assertTrue(send(other, "c@example.com").startsWith("250 "));
            }
            waitFor(() -> gw.capture().count() == 1);
        }
    }

    @Test
    void aChangedPluginSettingTakesEffectAfterARestart() throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "stamper", "stamp");
        try (TestGateway gw = start(plugins, "  - type: stamp\n    text: first");
                RawSmtp c = RawSmtp.connect(gw.port())) {
            send(c, "b@example.com");
            assertTrue(onlyCaptured(gw).contains("X-Stamp: first\r\n"));
            gw.capture().delete(gw.capture().list().get(0).id());
        }
        try (TestGateway gw = start(plugins, "  - type: stamp\n    text: second");
                RawSmtp c = RawSmtp.connect(gw.port())) {
            send(c, "b@example.com");
            String message = onlyCaptured(gw);
            assertTrue(message.contains("X-Stamp: second\r\n") && !message.contains("first"), message);
        }
    }

    @Test
    void aChangedPluginSettingTakesEffectAtAReloadAndANewPluginDirectoryNeedsARestart() throws Exception {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "stamper", "stamp");
        Path data = Files.createDirectories(dir.resolve("data"));
        String config = "plugins:\n  directory: \"" + plugins + "\"\nfilters:\n  - type: stamp\n    text: TEXT\n";
        try (TestGateway gw = TestGateway.builder(data).yaml(config.replace("TEXT", "before")).reloadable().start()) {
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                send(c, "b@example.com");
            }
            assertTrue(onlyCaptured(gw).contains("X-Stamp: before\r\n"));
            gw.capture().delete(gw.capture().list().get(0).id());

            gw.writeConfig(config.replace("TEXT", "after"));
            dev.moat.core.reload.ReloadReport report = gw.gateway().reload();
            assertTrue(report.filtersChanged());
            assertEquals(List.of(), report.restartRequired());
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                send(c, "b@example.com");
            }
            String message = onlyCaptured(gw);
            assertTrue(message.contains("X-Stamp: after\r\n") && !message.contains("before"), message);
            // The reloaded instance still comes from the plugin's own class loader.
            assertEquals("moat-plugin-stamper", gw.gateway().policies().current().chain().filters().get(0).filter()
                    .getClass().getClassLoader().getName());

            Path other = Files.createDirectories(dir.resolve("other-plugins"));
            gw.writeConfig(config.replace("TEXT", "after").replace(plugins.toString(), other.toString()));
            assertEquals(List.of("plugins"), gw.gateway().reload().restartRequired());
        }
    }

    @Test
    void anUnknownSettingOfAPluginTypeFailsStartNamingTheKey() {
        Path plugins = dir.resolve("plugins");
        TestPlugins.stamp(plugins, "stamper", "stamp");
        ConfigException e = assertThrows(ConfigException.class, () -> start(plugins, "  - type: stamp\n    txt: typo"));
        assertEquals("filters[0].txt", e.keyPath());
        assertTrue(e.getMessage().contains("known settings: name, type, timeout, api-token, block-at, guava-probe, text, throw-at"),
                e.getMessage());
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
