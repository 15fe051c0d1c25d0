package dev.moat.core.testing;

import dev.moat.filter.FilterApi;
import dev.moat.filter.FilterPlugin;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds plugin jars while a test runs: compiles Java sources with the JDK's compiler against the
 * filter API (and any extra jars), then writes a jar with a manifest and, if asked, the
 * {@code META-INF/services/dev.moat.filter.FilterPlugin} entry. The classes exist only in that jar,
 * never on the test's class path, so a test proves that Moat loaded them from the plugin directory.
 *
 * <pre>{@code
 * Path jar = PluginJars.builder("stamp")
 *         .source("p.StampPlugin", "package p; public class StampPlugin implements ... { ... }")
 *         .provider("p.StampPlugin")
 *         .writeTo(pluginsDir.resolve("stamp"));
 * }</pre>
 */
public final class PluginJars {

    private PluginJars() {
    }

    public static Builder builder(String jarName) {
        return new Builder(jarName);
    }

    /** Where the classes of {@code type} come from: a jar or a class directory. */
    public static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static final class Builder {
        private final String jarName;
        private final Map<String, String> sources = new LinkedHashMap<>();
        private final List<String> providers = new ArrayList<>();
        private final List<Path> classPath = new ArrayList<>();
        private String apiVersion = FilterApi.version();

        private Builder(String jarName) {
            this.jarName = jarName;
            classPath.add(locationOf(FilterPlugin.class));
        }

        /** A class to compile, by its binary name. */
        public Builder source(String className, String code) {
            sources.put(className, code);
            return this;
        }

        /** A class listed in the jar's FilterPlugin service file. */
        public Builder provider(String className) {
            providers.add(className);
            return this;
        }

        /** A jar (or class directory) the sources compile against; a plugin would bundle it. */
        public Builder classPath(Path entry) {
            classPath.add(entry);
            return this;
        }

        /** The manifest's filter API version; {@code null} leaves the attribute out. */
        public Builder apiVersion(String version) {
            this.apiVersion = version;
            return this;
        }

        /** Compiles and writes {@code <directory>/<jarName>.jar} (the directory is created); returns the jar. */
        public Path writeTo(Path directory) {
            try {
                Files.createDirectories(directory);
                Path work = Files.createTempDirectory("plugin-src");
                Path classes = work.resolve("classes");
                Files.createDirectories(classes);
                List<String> files = new ArrayList<>();
                for (Map.Entry<String, String> e : sources.entrySet()) {
                    Path file = work.resolve("src").resolve(e.getKey().replace('.', '/') + ".java");
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, e.getValue());
                    files.add(file.toString());
                }
                if (!files.isEmpty()) {
                    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
                    List<String> args = new ArrayList<>(List.of("--release", "17", "-nowarn", "-d", classes.toString(),
                            "-cp", classPath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator))));
                    args.addAll(files);
                    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
                    int rc = javac.run(null, errors, errors, args.toArray(String[]::new));
                    if (rc != 0) {
                        throw new IllegalStateException("test plugin does not compile:\n" + errors.toString(StandardCharsets.UTF_8));
                    }
                }
                Manifest manifest = new Manifest();
                manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
                if (apiVersion != null) {
                    manifest.getMainAttributes().put(new Attributes.Name(FilterApi.MANIFEST_ATTRIBUTE), apiVersion);
                }
                Path jar = directory.resolve(jarName + ".jar");
                try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
                    try (Stream<Path> walk = Files.walk(classes)) {
                        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                            add(out, classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                        }
                    }
                    if (!providers.isEmpty()) {
                        add(out, "META-INF/services/" + FilterPlugin.class.getName(),
                                (String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                return jar;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void add(JarOutputStream out, String name, byte[] bytes) throws IOException {
            out.putNextEntry(new JarEntry(name));
            OutputStream body = out;
            body.write(bytes);
            out.closeEntry();
        }
    }
}
