package dev.moat.filter.testkit;

import dev.moat.core.MoatRuntime;
import dev.moat.core.config.ConfigLoader;
import dev.moat.core.config.MoatConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Moat for end-to-end tests of a plugin: the gateway of this Moat version, started in the test's
 * JVM on a random loopback port, loading the plugin from a plugin directory exactly as production does
 * (its own class loader, manifest check), and relaying every accepted message to a
 * {@link CapturingNextHop}.
 *
 * <pre>{@code
 * try (CapturingNextHop hop = CapturingNextHop.start();
 *      MoatTestServer moat = MoatTestServer.builder()
 *              .pluginZip(Path.of("target/subject-tag-1.0.0-plugin.zip"))
 *              .filters("""
 *                  - type: subject-tag
 *                    tag: "[EXT]"
 *                  """)
 *              .relayTo(hop, "example.com")
 *              .start()) {
 *     SmtpExchange sent = moat.send("alice@example.org", "bob@example.com", message);
 *     assertEquals(250, sent.finalCode());
 *     assertTrue(hop.awaitDelivery(Duration.ofSeconds(10)).text().contains("Subject: [EXT] hello"));
 * }
 * }</pre>
 *
 * Run it where the plugin's own classes are <em>not</em> on the test class path (in Maven: a surefire
 * execution after {@code package} with {@code classesDirectory} pointed elsewhere, as
 * examples/subject-tag does): Moat also loads {@code FilterPlugin}s from its class path, and refuses
 * a type that is provided twice.
 *
 * <p>The configuration is Moat's default (capture everything) plus what the builder adds: a listener
 * on {@code 127.0.0.1:0}, the plugin directory, the {@code filters:} list, an inline route for the
 * given domains to the next hop, the admin server off, and {@link Builder#yaml extra YAML} if given.
 */
public final class MoatTestServer implements AutoCloseable {

    private final MoatRuntime runtime;
    private final Path work;

    private MoatTestServer(MoatRuntime runtime, Path work) {
        this.runtime = runtime;
        this.work = work;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The SMTP port of the listener. */
    public int port() {
        return runtime.gateway().boundAddresses().values().iterator().next().getPort();
    }

    /** The running gateway, for assertions beyond SMTP (the capture store, the chain). */
    public MoatRuntime runtime() {
        return runtime;
    }

    /** {@link #send(String, List, byte[])} to one recipient. */
    public SmtpExchange send(String sender, String recipient, byte[] message) throws IOException {
        return send(sender, List.of(recipient), message);
    }

    /**
     * One SMTP session over a real socket: EHLO, MAIL, RCPT for each recipient, DATA with the message
     * dot-stuffed (if any recipient was accepted), QUIT. Stops early when MAIL is refused.
     */
    public SmtpExchange send(String sender, List<String> recipients, byte[] message) throws IOException {
        List<String> replies = new ArrayList<>();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
            socket.setSoTimeout(120_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String greeting = reply(in);
            replies.add(greeting);
            if (!greeting.startsWith("220")) {
                return new SmtpExchange(replies);
            }
            replies.add(command(in, out, "EHLO client.test"));
            String mail = command(in, out, "MAIL FROM:<" + sender + ">");
            replies.add(mail);
            if (!mail.startsWith("250")) {
                return new SmtpExchange(replies);
            }
            boolean any = false;
            for (String r : recipients) {
                String rcpt = command(in, out, "RCPT TO:<" + r + ">");
                replies.add(rcpt);
                any |= rcpt.startsWith("250");
            }
            if (any) {
                String data = command(in, out, "DATA");
                replies.add(data);
                if (data.startsWith("354")) {
                    out.write(dotStuffed(message));
                    out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    replies.add(reply(in));
                }
            }
            command(in, out, "QUIT");
        }
        return new SmtpExchange(replies);
    }

    /** The replies of one {@link #send} session, in order (the last line of each multi-line reply). */
    public record SmtpExchange(List<String> replies) {
        public SmtpExchange {
            replies = List.copyOf(replies);
        }

        /** The last reply before QUIT: the answer to the message, or the refusal that ended the session. */
        public String finalReply() {
            return replies.get(replies.size() - 1);
        }

        /** The code of {@link #finalReply()}. */
        public int finalCode() {
            return Integer.parseInt(finalReply().substring(0, 3));
        }
    }

    private static byte[] dotStuffed(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static String command(InputStream in, OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply(in);
    }

    /** Reads one reply, possibly multi-line; returns its last line. */
    private static String reply(InputStream in) throws IOException {
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r') {
                    line.write(b);
                }
            }
            String text = line.toString(StandardCharsets.US_ASCII);
            if (b == -1) {
                if (text.isEmpty()) {
                    throw new IOException("the server closed the connection");
                }
                return text;
            }
            if (text.length() < 4 || text.charAt(3) != '-') {
                return text;
            }
        }
    }

    @Override
    public void close() {
        try {
            runtime.shutdown(Duration.ofSeconds(2));
        } finally {
            delete(work);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets up the test gateway; {@link #start()} starts it. */
    public static final class Builder {
        private Path pluginDirectory;
        private Path pluginZip;
        private String filters = "";
        private CapturingNextHop nextHop;
        private List<String> relayDomains = List.of();
        private String yaml = "";

        private Builder() {
        }

        /** A directory holding plugin directories ({@code <dir>/<plugin>/*.jar}), used as is. */
        public Builder pluginDirectory(Path directory) {
            this.pluginDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** A plugin's release zip ({@code <plugin>/*.jar} inside), unpacked into a fresh plugin directory. */
        public Builder pluginZip(Path zip) {
            this.pluginZip = Objects.requireNonNull(zip, "zip");
            return this;
        }

        /** The entries of the {@code filters:} list, as YAML ({@code - type: ...} lines). */
        public Builder filters(String yamlEntries) {
            this.filters = Objects.requireNonNull(yamlEntries, "yamlEntries");
            return this;
        }

        /**
         * Relay mail for {@code domains} (e.g. {@code example.com}, {@code *.example.com}) in-line to
         * {@code hop}; mail for other domains is refused {@code 550 5.7.1} unless a filter accepts it,
         * as in production. Without this call Moat captures everything in its capture store.
         */
        public Builder relayTo(CapturingNextHop hop, String... domains) {
            this.nextHop = Objects.requireNonNull(hop, "hop");
            if (domains.length == 0) {
                throw new IllegalArgumentException("name at least one domain to relay (an in-line catch-all needs a filter"
                        + " that accepts recipients, such as relay-rules)");
            }
            this.relayDomains = List.of(domains);
            return this;
        }

        /** More top-level YAML (e.g. a {@code limits:} block); it must not repeat the blocks set here. */
        public Builder yaml(String text) {
            this.yaml = Objects.requireNonNull(text, "text");
            return this;
        }

        public MoatTestServer start() throws Exception {
            Path work = Files.createTempDirectory("moat-test-server");
            try {
                Path plugins = pluginDirectory;
                if (pluginZip != null) {
                    plugins = Files.createDirectories(work.resolve("plugins"));
                    unzip(pluginZip, plugins);
                }
                StringBuilder text = new StringBuilder()
                        .append("server:\n  hostname: moat.test\n  data-directory: \"").append(work.resolve("data")).append("\"\n")
                        .append("  shutdown-grace: 1s\n")
                        .append("listeners:\n  - name: test\n    address: 127.0.0.1:0\n")
                        .append("admin:\n  enabled: false\n");
                if (plugins != null) {
                    text.append("plugins:\n  directory: \"").append(plugins).append("\"\n");
                }
                text.append("filters:\n");
                for (String line : filters.stripIndent().split("\n")) {
                    if (!line.isBlank()) {
                        text.append("  ").append(line).append('\n');
                    }
                }
                if (filters.isBlank()) {
                    text.append("  []\n");
                }
                if (nextHop != null) {
                    text.append("routes:\n  - domains: [");
                    for (int i = 0; i < relayDomains.size(); i++) {
                        text.append(i == 0 ? "\"" : ", \"").append(relayDomains.get(i)).append('"');
                    }
                    text.append("]\n    mode: inline\n    next-hops: [\"smtp://127.0.0.1:")
                            .append(nextHop.port()).append("\"]\n    tls: {mode: none}\n");
                }
                text.append(yaml);
                MoatConfig config = ConfigLoader.parse(text.toString(), Map.of());
                return new MoatTestServer(MoatRuntime.start(config), work);
            } catch (Exception | Error e) {
                delete(work);
                throw e;
            }
        }

        private static void unzip(Path zip, Path into) throws IOException {
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                ZipEntry entry;
                while ((entry = in.getNextEntry()) != null) {
                    Path target = into.resolve(entry.getName()).normalize();
                    if (!target.startsWith(into)) {
                        throw new IOException("zip entry outside the plugin directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target);
                    }
                }
            }
        }
    }
}
