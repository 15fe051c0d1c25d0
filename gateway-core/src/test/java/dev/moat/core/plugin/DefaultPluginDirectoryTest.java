package dev.moat.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.moat.core.config.ConfigLoader;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.PluginsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without plugins.directory, Moat reads $MOAT_HOME/plugins, which bin/moat passes as -Dmoat.home. */
class DefaultPluginDirectoryTest {

    @TempDir
    Path home;

    @Test
    void theDistributionsPluginsDirectoryIsTheDefaultAndMayBeMissing() throws Exception {
        String previous = System.getProperty(PluginsConfig.HOME_PROPERTY);
        System.setProperty(PluginsConfig.HOME_PROPERTY, home.toString());
        try {
            MoatConfig config = ConfigLoader.parse("", Map.of());
            assertEquals(Optional.of(home.resolve("plugins")), config.plugins().directory());
            assertFalse(config.plugins().explicit());
            try (FilterTypes types = PluginLoader.load(config.plugins())) {
                assertEquals(List.of(), types.plugins(), "no plugins/ directory: nothing but the class path");
            }
            TestPlugins.stamp(home.resolve("plugins"), "stamper", "stamp");
            try (FilterTypes types = PluginLoader.load(ConfigLoader.parse("", Map.of()).plugins())) {
                assertEquals(List.of("stamper"), types.plugins().stream().map(PluginReport::name).toList());
                assertEquals(List.of("stamp"), List.copyOf(types.factories().keySet()));
            }
        } finally {
            if (previous == null) {
                System.clearProperty(PluginsConfig.HOME_PROPERTY);
            } else {
                System.setProperty(PluginsConfig.HOME_PROPERTY, previous);
            }
        }
        assertEquals(Optional.empty(), ConfigLoader.parse("", Map.of()).plugins().directory());
    }
}
