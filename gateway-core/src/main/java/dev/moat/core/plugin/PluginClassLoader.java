package dev.moat.core.plugin;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Objects;

/**
 * The class loader of one plugin directory. Its parent is the platform class loader, so a plugin
 * sees the JDK and its own jars but none of Moat's libraries: it may bundle any version of Guava,
 * Jackson or Guice without clashing with Moat's. Only two things come from Moat, so that the
 * plugin and the gateway speak about the same types: the filter SPI (package {@code dev.moat.filter}
 * exactly, not its sub-packages such as the test kit) and SLF4J ({@code org.slf4j} and below), so a
 * plugin's log lines go to Moat's log. A copy of either in the plugin's jars is ignored.
 */
final class PluginClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader moat;

    PluginClassLoader(String pluginName, URL[] jars, ClassLoader moat) {
        super("moat-plugin-" + pluginName, jars, ClassLoader.getPlatformClassLoader());
        this.moat = Objects.requireNonNull(moat, "moat");
    }

    /** Whether a class of this name is Moat's, whatever the plugin bundles. */
    static boolean shared(String className) {
        if (className.startsWith("org.slf4j.")) {
            return true;
        }
        return className.startsWith("dev.moat.filter.") && className.indexOf('.', "dev.moat.filter.".length()) < 0;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name)) {
            return moat.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }
}
