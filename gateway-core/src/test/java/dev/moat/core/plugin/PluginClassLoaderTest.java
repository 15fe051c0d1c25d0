package dev.moat.core.plugin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.Filter;
import java.net.URL;
import org.junit.jupiter.api.Test;

class PluginClassLoaderTest {

    @Test
    void onlyTheSpiPackageAndSlf4jAreShared() {
        assertTrue(PluginClassLoader.shared("dev.moat.filter.Filter"));
        assertTrue(PluginClassLoader.shared("org.slf4j.Logger"));
        assertTrue(PluginClassLoader.shared("org.slf4j.spi.LoggingEventBuilder"));
        assertFalse(PluginClassLoader.shared("dev.moat.filter.testkit.FilterHarness"));
        assertFalse(PluginClassLoader.shared("dev.moat.core.Gateway"));
        assertFalse(PluginClassLoader.shared("dev.moat.filters.BuiltinFilters"));
        assertFalse(PluginClassLoader.shared("com.google.common.collect.ImmutableList"));
        assertFalse(PluginClassLoader.shared("com.google.inject.Guice"));
    }

    @Test
    void moatsOwnLibrariesAreInvisibleToAPlugin() throws Exception {
        try (PluginClassLoader loader = new PluginClassLoader("empty", new URL[0], getClass().getClassLoader())) {
            assertSame(Filter.class, loader.loadClass("dev.moat.filter.Filter"));
            assertSame(org.slf4j.Logger.class, loader.loadClass("org.slf4j.Logger"));
            assertSame(String.class, loader.loadClass("java.lang.String"));
            assertSame(java.sql.Connection.class, loader.loadClass("java.sql.Connection"), "platform modules stay visible");
            for (String hidden : new String[] {"com.google.common.collect.ImmutableList", "com.google.inject.Guice",
                    "io.netty.channel.Channel", "dev.moat.core.Gateway", "com.fasterxml.jackson.databind.ObjectMapper"}) {
                assertThrows(ClassNotFoundException.class, () -> loader.loadClass(hidden), hidden);
            }
        }
    }
}
