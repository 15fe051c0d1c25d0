package dev.moat.core.plugin;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.FilterConfig;
import dev.moat.core.config.PluginsConfig;
import dev.moat.filter.FilterApi;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterPlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds every filter type at start-up, through one mechanism: {@link ServiceLoader} of
 * {@link FilterPlugin}. First on Moat's own class path (the built-in filters), then in each
 * sub-directory of the plugin directory, in name order, each with its own {@link PluginClassLoader}
 * over the {@code *.jar} files directly inside it.
 *
 * <p>A plugin directory is refused when: it has no jar; no jar lists a {@code FilterPlugin}
 * provider; a provider jar does not record the filter API version in its manifest, or records an
 * incompatible one; the provider cannot be created (its constructor throws, the class is missing);
 * {@code factories()} throws or returns nothing; a factory has an invalid type name or settings
 * declaration; a type name is already taken. Refused means: start-up fails with a
 * {@link ConfigException} at {@code plugins} naming the plugin and the reason, or with
 * {@code on-error: skip} the plugin is left out entirely (none of its types) and reported.
 * Problems with the class-path plugins always fail: they are part of Moat.
 */
public final class PluginLoader {

    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);

    static final String SERVICE_FILE = "META-INF/services/" + FilterPlugin.class.getName();

    private PluginLoader() {
    }

    /** Loads the class-path plugins and those of {@code config}'s directory. */
    public static FilterTypes load(PluginsConfig config) {
        return load(config, PluginLoader.class.getClassLoader());
    }

    static FilterTypes load(PluginsConfig config, ClassLoader moat) {
        Map<String, FilterFactory> types = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        List<PluginReport> reports = new ArrayList<>();
        List<PluginClassLoader> loaders = new ArrayList<>();
        try {
            Iterator<FilterPlugin> providers = ServiceLoader.load(FilterPlugin.class, moat).iterator();
            while (true) {
                FilterPlugin plugin;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    plugin = providers.next();
                } catch (ServiceConfigurationError e) {
                    throw new ConfigException("plugins", "a filter plugin on Moat's class path cannot be created: "
                            + e.getMessage(), e);
                }
                String name = plugin.getClass().getName();
                try {
                    List<String> added = register(plugin, types, owners, name);
                    reports.add(new PluginReport(name, "class-path", Optional.empty(), added, false, Optional.empty()));
                } catch (PluginProblem p) {
                    throw new ConfigException("plugins", "filter plugin " + name + " (class path): " + p.getMessage(), p.getCause());
                }
            }
            if (config.directory().isPresent()) {
                Path directory = config.directory().get();
                if (Files.isDirectory(directory)) {
                    for (Path pluginDirectory : pluginDirectories(directory)) {
                        loadDirectory(pluginDirectory, config.onError(), moat, types, owners, reports, loaders);
                    }
                } else if (config.explicit()) {
                    throw new ConfigException("plugins.directory", "'" + directory + "' is not a directory");
                } else {
                    LOG.info("No plugin directory {}: only the built-in filters are available", directory);
                }
            }
        } catch (RuntimeException | Error e) {
            new FilterTypes(Map.of(), List.of(), loaders).close();
            throw e;
        }
        return new FilterTypes(types, reports, loaders);
    }

    private static List<Path> pluginDirectories(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new ConfigException("plugins.directory", "cannot list '" + directory + "': " + e, e);
        }
    }

    private static void loadDirectory(Path directory, PluginsConfig.OnError onError, ClassLoader moat,
            Map<String, FilterFactory> types, Map<String, String> owners, List<PluginReport> reports,
            List<PluginClassLoader> loaders) {
        String name = directory.getFileName().toString();
        Optional<String> apiVersion = Optional.empty();
        PluginClassLoader loader = null;
        // Registration is all or nothing: work on copies, keep them only if the whole plugin loads.
        Map<String, FilterFactory> newTypes = new LinkedHashMap<>(types);
        Map<String, String> newOwners = new LinkedHashMap<>(owners);
        try {
            List<Path> jars = jars(directory);
            apiVersion = Optional.of(declaredVersion(jars));
            String why = FilterApi.incompatibility(apiVersion.get());
            if (why != null) {
                throw new PluginProblem(why, null);
            }
            loader = new PluginClassLoader(name, urls(jars), moat);
            List<FilterPlugin> plugins = providers(loader);
            List<String> added = new ArrayList<>();
            for (FilterPlugin plugin : plugins) {
                added.addAll(register(plugin, newTypes, newOwners, "plugin '" + name + "'"));
            }
            types.clear();
            types.putAll(newTypes);
            owners.clear();
            owners.putAll(newOwners);
            loaders.add(loader);
            reports.add(new PluginReport(name, directory.toString(), apiVersion, added, false, Optional.empty()));
            LOG.info("Loaded filter plugin '{}' from {} (filter API {}): types {}", name, directory, apiVersion.get(), added);
        } catch (PluginProblem p) {
            closeQuietly(loader);
            String message = "filter plugin '" + name + "' (" + directory + ") cannot be loaded: " + p.getMessage();
            if (onError == PluginsConfig.OnError.FAIL) {
                throw new ConfigException("plugins", message, p.getCause());
            }
            LOG.error("{}; skipped (plugins.on-error: skip)", message, p.getCause());
            reports.add(new PluginReport(name, directory.toString(), apiVersion, List.of(), true, Optional.of(p.getMessage())));
        } catch (RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    private static List<Path> jars(Path directory) throws PluginProblem {
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> jars = entries.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
            if (jars.isEmpty()) {
                throw new PluginProblem("the directory holds no .jar file", null);
            }
            return jars;
        } catch (IOException e) {
            throw new PluginProblem("cannot list the directory: " + e, e);
        }
    }

    /** The filter API version the provider jars record (they must agree). */
    private static String declaredVersion(List<Path> jars) throws PluginProblem {
        String version = null;
        boolean anyProvider = false;
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                if (file.getEntry(SERVICE_FILE) == null) {
                    continue;
                }
                anyProvider = true;
                Manifest manifest = file.getManifest();
                String declared = manifest == null ? null
                        : manifest.getMainAttributes().getValue(new Attributes.Name(FilterApi.MANIFEST_ATTRIBUTE));
                if (declared == null) {
                    throw new PluginProblem(jar.getFileName() + " does not record the filter API version it was built"
                            + " against (manifest attribute " + FilterApi.MANIFEST_ATTRIBUTE + ", e.g. '"
                            + FilterApi.MANIFEST_ATTRIBUTE + ": " + FilterApi.version() + "')", null);
                }
                if (version != null && !version.equals(declared.strip())) {
                    throw new PluginProblem("its jars record different filter API versions (" + version + " and "
                            + declared.strip() + ")", null);
                }
                version = declared.strip();
            } catch (IOException e) {
                throw new PluginProblem(jar.getFileName() + " is not a readable jar: " + e.getMessage(), e);
            }
        }
        if (!anyProvider) {
            throw new PluginProblem("no provider: none of its jars lists a " + FilterPlugin.class.getName()
                    + " in " + SERVICE_FILE, null);
        }
        return version;
    }

    private static URL[] urls(List<Path> jars) {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new UncheckedIOException(e);
            }
        }
        return urls;
    }

    private static List<FilterPlugin> providers(ClassLoader loader) throws PluginProblem {
        List<FilterPlugin> plugins = new ArrayList<>();
        try {
            for (FilterPlugin plugin : ServiceLoader.load(FilterPlugin.class, loader)) {
                plugins.add(plugin);
            }
        } catch (ServiceConfigurationError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginProblem("its FilterPlugin provider cannot be created: " + describe(e), cause);
        } catch (LinkageError e) {
            throw new PluginProblem("its FilterPlugin provider cannot be loaded: " + e, e);
        }
        if (plugins.isEmpty()) {
            throw new PluginProblem("no provider: " + SERVICE_FILE + " lists no class", null);
        }
        return plugins;
    }

    private static String describe(ServiceConfigurationError e) {
        // "dev.moat.filter.FilterPlugin: Provider x could not be instantiated" plus the real cause.
        Throwable cause = e.getCause();
        while (cause != null && cause.getCause() != null && cause.getCause() != cause
                && cause instanceof java.lang.reflect.InvocationTargetException) {
            cause = cause.getCause();
        }
        return e.getMessage() + (cause == null ? "" : " (" + cause + ")");
    }

    /** Adds the plugin's factories; returns the type names added. */
    private static List<String> register(FilterPlugin plugin, Map<String, FilterFactory> types, Map<String, String> owners,
            String owner) throws PluginProblem {
        List<FilterFactory> factories;
        try {
            factories = plugin.factories();
        } catch (RuntimeException | LinkageError e) {
            throw new PluginProblem(plugin.getClass().getName() + ".factories() failed: " + e, e);
        }
        if (factories == null || factories.isEmpty()) {
            throw new PluginProblem(plugin.getClass().getName() + ".factories() returned no filter types", null);
        }
        List<String> added = new ArrayList<>();
        for (FilterFactory factory : factories) {
            if (factory == null) {
                throw new PluginProblem(plugin.getClass().getName() + ".factories() returned a null factory", null);
            }
            String type;
            Set<String> keys;
            Set<String> secrets;
            try {
                type = factory.type();
                keys = factory.settingKeys();
                secrets = factory.secretKeys();
            } catch (RuntimeException | LinkageError e) {
                throw new PluginProblem(factory.getClass().getName() + " cannot describe itself: " + e, e);
            }
            if (type == null || !FilterConfig.TYPE.matcher(type).matches()) {
                throw new PluginProblem(factory.getClass().getName() + " has the type name '" + type
                        + "', which is not kebab-case (e.g. subject-tag)", null);
            }
            if (keys == null || secrets == null) {
                throw new PluginProblem("filter type '" + type + "' declares no setting keys (null)", null);
            }
            for (String reserved : FilterConfig.RESERVED_KEYS) {
                if (keys.contains(reserved)) {
                    throw new PluginProblem("filter type '" + type + "' declares the setting '" + reserved
                            + "', which every filter entry has already (name, type, timeout)", null);
                }
            }
            if (!keys.containsAll(secrets)) {
                Set<String> undeclared = new TreeSet<>(secrets);
                undeclared.removeAll(keys);
                throw new PluginProblem("filter type '" + type + "' has secret keys that are not setting keys: "
                        + undeclared, null);
            }
            String previous = owners.putIfAbsent(type, owner);
            if (previous != null) {
                throw new PluginProblem("the filter type '" + type + "' is provided twice: by " + previous
                        + " and by " + owner, null);
            }
            types.put(type, factory);
            added.add(type);
        }
        return added;
    }

    private static void closeQuietly(PluginClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException ignored) {
                // the load failed already; that is the error to report
            }
        }
    }

    /** Why one plugin cannot be loaded; becomes a ConfigException or a skip. */
    private static final class PluginProblem extends Exception {
        private static final long serialVersionUID = 1L;

        PluginProblem(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
