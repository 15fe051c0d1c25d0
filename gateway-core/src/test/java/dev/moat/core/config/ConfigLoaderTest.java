package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    static MoatConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.of());
    }

    static ConfigException fails(String yaml) {
        return fails(yaml, Map.of());
    }

    static ConfigException fails(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, env));
    }

    static void assertError(ConfigException e, String keyPath, String reason) {
        assertEquals(keyPath, e.keyPath());
        assertEquals(reason, e.reason());
        assertEquals(keyPath.isEmpty() ? reason : keyPath + ": " + reason, e.getMessage());
    }

    static InetSocketAddress socket(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Nested
    class Defaults {

        @Test
        void emptyDocumentIsTheDefaults() {
            assertEquals(ConfigLoader.defaults(), parse(""));
            assertEquals(ConfigLoader.defaults(), parse("# only a comment\n\n"));
            assertEquals(ConfigLoader.defaults(), parse("---\n"));
        }

        @Test
        void emptyBlocksAndNullListsMeanDefaults() {
            assertEquals(ConfigLoader.defaults(), parse("server:\nlisteners:\nlimits:\nfilters:\nroutes:\ncapture:\n"));
            assertEquals(ConfigLoader.defaults(), parse("server: {}\nlimits: {}\nfilters: []\ncapture: {}\n"));
        }

        @Test
        void defaultValues() throws Exception {
            MoatConfig c = ConfigLoader.defaults();
            assertEquals(ServerConfig.defaultHostname(), c.server().hostname());
            assertFalse(c.server().hostname().isEmpty());
            assertEquals(Path.of("./data"), c.server().dataDirectory());
            assertEquals(64, c.server().workerThreads());
            assertEquals(Duration.ofSeconds(30), c.server().shutdownGrace());

            assertEquals(List.of(new ListenerConfig("default", socket("127.0.0.1", 2525), TlsConfig.none())),
                    c.listeners());
            assertEquals(new TlsConfig(TlsMode.NONE, Optional.empty(), Optional.empty()), c.listeners().get(0).tls());

            LimitsConfig l = c.limits();
            assertEquals(25L * 1024 * 1024, l.maxMessageSize());
            assertEquals(100, l.maxRecipients());
            assertEquals(500, l.maxConnections());
            assertEquals(20, l.maxConnectionsPerIp());
            assertEquals(Duration.ofMinutes(5), l.idleTimeout());
            assertEquals(Duration.ofMinutes(5), l.commandTimeout());
            assertEquals(Duration.ofMinutes(10), l.dataTimeout());
            assertEquals(10, l.maxInvalidCommands());
            assertEquals(512, l.maxCommandLineLength());
            assertEquals(998, l.maxDataLineLength());
            assertEquals(65536, l.memoryBuffer());
            assertEquals(BareLineEndings.REJECT, l.bareLineEndings());

            assertEquals(List.of(), c.filters());
            assertEquals(List.of(new RouteConfig(List.of("*"), RouteMode.CAPTURE)), c.routes());
            assertEquals(new CaptureConfig(10_000, Duration.ofDays(30)), c.capture());
        }

        @Test
        void defaultsAreStableAcrossCalls() {
            assertEquals(ConfigLoader.defaults(), ConfigLoader.defaults());
            assertEquals(ConfigLoader.defaults().hashCode(), parse("").hashCode());
        }
    }

    @Nested
    class FullDocument {

        @Test
        void everyKeyLandsInItsRecord(@TempDir Path dir) throws Exception {
            Path cert = Files.writeString(dir.resolve("fullchain.pem"), "cert");
            Path key = Files.writeString(dir.resolve("key.pem"), "key");
            String yaml = """
                    server:
                      hostname: mx.example.com
                      data-directory: /var/lib/moat
                      worker-threads: 8
                      shutdown-grace: 5s
                    listeners:
                      - name: mx
                        address: 0.0.0.0:25
                        tls:
                          mode: starttls
                          certificate: '%1$s'
                          key: '%2$s'
                      - name: submissions
                        address: "[::1]:465"
                        tls: { mode: implicit, certificate: '%1$s', key: '%2$s' }
                      - name: plain
                        address: 127.0.0.1:0
                        tls: { mode: none }
                    limits:
                      max-message-size: 10MB
                      max-recipients: 50
                      max-connections: 200
                      max-connections-per-ip: 5
                      idle-timeout: 2m
                      command-timeout: 1m
                      data-timeout: 15m
                      max-invalid-commands: 3
                      max-command-line-length: 1024
                      max-data-line-length: 2000
                      memory-buffer: 1MB
                      bare-line-endings: normalize
                    filters:
                      - type: size-limit
                        max: 10MB
                      - name: relay
                        type: relay-rules
                        timeout: 2s
                        accepted-domains: [example.com]
                        trusted-networks: [10.0.0.0/8]
                    routes:
                      - domains: [Example.com, "*.example.com"]
                        mode: capture
                      - domains: ["*"]
                        mode: capture
                    capture:
                      max-messages: 500
                      max-age: 7d
                    """.formatted(cert, key);

            MoatConfig expected = new MoatConfig(
                    new ServerConfig("mx.example.com", Path.of("/var/lib/moat"), 8, Duration.ofSeconds(5)),
                    List.of(
                            new ListenerConfig("mx", socket("0.0.0.0", 25), TlsConfig.of(TlsMode.STARTTLS, cert, key)),
                            new ListenerConfig("submissions", socket("::1", 465), TlsConfig.of(TlsMode.IMPLICIT, cert, key)),
                            new ListenerConfig("plain", socket("127.0.0.1", 0), TlsConfig.none())),
                    new LimitsConfig(10 * Units.MB, 50, 200, 5, Duration.ofMinutes(2), Duration.ofMinutes(1),
                            Duration.ofMinutes(15), 3, 1024, 2000, (int) Units.MB, BareLineEndings.NORMALIZE),
                    List.of(
                            new FilterConfig("size-limit", "size-limit", Duration.ofSeconds(30), Map.of("max", "10MB")),
                            new FilterConfig("relay", "relay-rules", Duration.ofSeconds(2), Map.of(
                                    "accepted-domains", List.of("example.com"),
                                    "trusted-networks", List.of("10.0.0.0/8")))),
                    List.of(
                            new RouteConfig(List.of("example.com", "*.example.com"), RouteMode.CAPTURE),
                            new RouteConfig(List.of("*"), RouteMode.CAPTURE)),
                    new CaptureConfig(500, Duration.ofDays(7)));

            assertEquals(expected, parse(yaml));
        }

        @Test
        void loadsFromAFile(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("moat.yaml");
            Files.writeString(file, "\uFEFFserver:\n  hostname: mx.exämple.com\n", StandardCharsets.UTF_8);
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
            assertError(e, "server.hostname",
                    "'mx.exämple.com' is not a host name (letters, digits, hyphens and dots, e.g. mx.example.com)");

            Files.writeString(file, "\uFEFFserver:\n  hostname: mx.example.com\n", StandardCharsets.UTF_8);
            assertEquals("mx.example.com", ConfigLoader.load(file).server().hostname());
        }

        @Test
        void missingFile(@TempDir Path dir) {
            Path file = dir.resolve("nope.yaml");
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
            assertError(e, "", "configuration file " + file + " does not exist");
        }

        @Test
        void fileThatIsNotUtf8(@TempDir Path dir) throws Exception {
            Path file = Files.write(dir.resolve("latin1.yaml"), "server:\n  hostname: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
            assertError(e, "", "configuration file " + file + " is not valid UTF-8");
        }
    }

    @Nested
    class UnknownKeys {

        @Test
        void atTopLevel() {
            assertError(fails("spool:\n  directory: /var/spool/moat\n"), "spool",
                    "unknown key (known keys: server, listeners, limits, filters, routes, capture, admin, auth, plugins, queue)");
        }

        @Test
        void nested() {
            assertError(fails("limits:\n  max-message-size: 10MB\n  max-recipents: 5\n"), "limits.max-recipents",
                    "unknown key (known keys: max-message-size, max-recipients, max-connections, max-connections-per-ip, "
                            + "idle-timeout, command-timeout, data-timeout, max-invalid-commands, "
                            + "max-command-line-length, max-data-line-length, memory-buffer, bare-line-endings)");
            assertError(fails("server:\n  host-name: mx\n"), "server.host-name",
                    "unknown key (known keys: hostname, data-directory, worker-threads, shutdown-grace)");
            assertError(fails("capture:\n  max-size: 1GB\n"), "capture.max-size",
                    "unknown key (known keys: max-messages, max-age)");
        }

        @Test
        void inAListenerNamesTheIndex() {
            String yaml = """
                    listeners:
                      - name: mx
                        address: 0.0.0.0:25
                      - name: submission
                        address: 0.0.0.0:587
                        port: 587
                    """;
            assertError(fails(yaml), "listeners[1].port", "unknown key (known keys: name, address, tls, role, proxy-protocol, trusted-proxies)");
        }

        @Test
        void inTlsAndRoutes() {
            assertError(fails("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {mode: none, ciphers: x}}\n"),
                    "listeners[0].tls.ciphers", "unknown key (known keys: mode, certificate, key, additional-certificates, reload-interval)");
            assertError(fails("routes:\n  - {domains: ['*'], mode: capture, next-hops: [a]}\n"),
                    "routes[0].next-hops", "only used with the modes inline, queue and inline-then-queue, but the mode is capture");
        }

        @Test
        void nonStringKeyIsUnknown() {
            assertError(fails("limits:\n  100: max-recipients\n"), "limits.100",
                    "unknown key (known keys: max-message-size, max-recipients, max-connections, max-connections-per-ip, "
                            + "idle-timeout, command-timeout, data-timeout, max-invalid-commands, "
                            + "max-command-line-length, max-data-line-length, memory-buffer, bare-line-endings)");
        }
    }

    @Nested
    class WrongTypes {

        @Test
        void listWhereAMapIsExpected() {
            assertError(fails("server:\n  - hostname\n"), "server", "expected a map of keys, got a list");
            assertError(fails("listeners:\n  - mx\n"), "listeners[0]", "expected a map of keys, got the string 'mx'");
            assertError(fails("listeners:\n  -\n"), "listeners[0]", "expected a map of keys, got nothing");
        }

        @Test
        void mapWhereAListIsExpected() {
            assertError(fails("listeners:\n  name: mx\n"), "listeners", "expected a list, got a map");
            assertError(fails("routes:\n  - {domains: example.com, mode: capture}\n"), "routes[0].domains",
                    "expected a list, got the string 'example.com'");
        }

        @Test
        void stringWhereANumberIsExpected() {
            assertError(fails("limits:\n  max-recipients: lots\n"), "limits.max-recipients",
                    "expected an integer, got the string 'lots'");
            assertError(fails("server:\n  worker-threads: \"8\"\n"), "server.worker-threads",
                    "expected an integer, got the string '8'");
            assertError(fails("limits:\n  max-recipients: 1.5\n"), "limits.max-recipients",
                    "expected an integer, got the number 1.5");
        }

        @Test
        void otherScalarsAndCollections() {
            assertError(fails("capture:\n  max-age: [1d]\n"), "capture.max-age",
                    "expected a duration (e.g. 500ms, 30s, 5m, 2h, 7d), got a list");
            assertError(fails("limits:\n  max-message-size: true\n"), "limits.max-message-size",
                    "expected a size (e.g. 512KB, 25MB, 1GB), got the boolean true");
            assertError(fails("server:\n  hostname: 42\n"), "server.hostname", "expected a string, got the integer 42");
            assertError(fails("listeners:\n  - {name: mx, address: 25}\n"), "listeners[0].address",
                    "expected a string, got the integer 25");
            assertError(fails("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {mode: off}}\n"),
                    "listeners[0].tls.mode", "expected one of none, starttls, implicit, got the boolean false "
                            + "(YAML reads unquoted yes, no, on and off as booleans)");
        }

        @Test
        void keyWithoutValue() {
            assertError(fails("limits:\n  idle-timeout:\n"), "limits.idle-timeout", "no value given");
            assertError(fails("server:\n  hostname:\n"), "server.hostname", "no value given");
        }

        @Test
        void documentThatIsNotAMap() {
            assertError(fails("- server\n- limits\n"), "",
                    "the document must be a map with the keys server, listeners, limits, filters, routes, capture, admin, auth, plugins, queue, got a list");
            assertError(fails("just text\n"), "",
                    "the document must be a map with the keys server, listeners, limits, filters, routes, capture, "
                            + "admin, auth, plugins, queue, got the string 'just text'");
        }

        @Test
        void badEnumSpelling() {
            assertError(fails("limits:\n  bare-line-endings: Normalize\n"), "limits.bare-line-endings",
                    "'Normalize' is not one of reject, normalize");
            assertError(fails("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {mode: required}}\n"),
                    "listeners[0].tls.mode", "'required' is not one of none, starttls, implicit");
        }
    }

    @Nested
    class Values {

        @Test
        void badUnitNamesTheValue() {
            assertError(fails("limits:\n  max-message-size: 25XB\n"), "limits.max-message-size",
                    "'25XB' is not a size (use e.g. 512KB, 25MB, 1GB)");
            assertError(fails("limits:\n  idle-timeout: 300\n"), "limits.idle-timeout",
                    "'300' has no unit, which would be ambiguous (use e.g. 500ms, 30s, 5m, 2h, 7d)");
            assertError(fails("limits:\n  data-timeout: 10 minutes\n"), "limits.data-timeout",
                    "'10 minutes' is not a duration (use e.g. 500ms, 30s, 5m, 2h, 7d)");
            assertError(fails("limits:\n  memory-buffer: -1KB\n"), "limits.memory-buffer",
                    "'-1KB' is not a size: sizes cannot be negative");
        }

        @Test
        void sizesAcceptPlainByteCounts() {
            assertEquals(1_048_576, parse("limits:\n  max-message-size: 1048576\n").limits().maxMessageSize());
            assertEquals(0, parse("limits:\n  memory-buffer: 0\n").limits().memoryBuffer());
            assertEquals(64 * Units.GB, parse("limits:\n  max-message-size: 64GB\n").limits().maxMessageSize());
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "limits: {max-message-size: 1023}        | limits.max-message-size       | '1023' is too small (at least 1KB)",
            "limits: {max-message-size: 65GB}        | limits.max-message-size       | '65GB' is too large (at most 64GB)",
            "limits: {max-recipients: 0}             | limits.max-recipients         | '0' is too small (at least 1)",
            "limits: {max-recipients: 10001}         | limits.max-recipients         | '10001' is too large (at most 10000)",
            "limits: {max-recipients: 99999999999999999999} | limits.max-recipients  | '99999999999999999999' is too large (at most 10000)",
            "limits: {max-recipients: -99999999999999999999} | limits.max-recipients | '-99999999999999999999' is too small (at least 1)",
            "limits: {max-connections: 0}            | limits.max-connections        | '0' is too small (at least 1)",
            "limits: {max-connections-per-ip: 0}     | limits.max-connections-per-ip | '0' is too small (at least 1)",
            "limits: {idle-timeout: 0s}              | limits.idle-timeout           | '0s' is too short (at least 1ms)",
            "limits: {command-timeout: 25h}          | limits.command-timeout        | '25h' is too long (at most 1d)",
            "limits: {max-invalid-commands: 0}       | limits.max-invalid-commands   | '0' is too small (at least 1)",
            "limits: {max-command-line-length: 511}  | limits.max-command-line-length | '511' is too small (at least 512)",
            "limits: {max-command-line-length: 65537} | limits.max-command-line-length | '65537' is too large (at most 65536)",
            "limits: {max-data-line-length: 997}     | limits.max-data-line-length   | '997' is too small (at least 998)",
            "limits: {memory-buffer: 17MB}           | limits.memory-buffer          | '17MB' is too large (at most 16MB)",
            "server: {worker-threads: 0}             | server.worker-threads         | '0' is too small (at least 1)",
            "server: {worker-threads: 1025}          | server.worker-threads         | '1025' is too large (at most 1024)",
            "server: {shutdown-grace: 2h}            | server.shutdown-grace         | '2h' is too long (at most 1h)",
            "capture: {max-messages: 0}              | capture.max-messages          | '0' is too small (at least 1)",
            "capture: {max-age: 0d}                  | capture.max-age               | '0d' is too short (at least 1ms)",
            "filters: [{type: a, timeout: 0s}]       | filters[0].timeout            | '0s' is too short (at least 1ms)",
        })
        void outOfRange(String yaml, String keyPath, String reason) {
            assertError(fails(yaml), keyPath, reason);
        }

        @Test
        void perIpLimitCannotExceedTheGlobalOne() {
            assertError(fails("limits:\n  max-connections: 10\n  max-connections-per-ip: 11\n"),
                    "limits.max-connections-per-ip", "'11' is larger than max-connections (10)");
            assertEquals(10, parse("limits:\n  max-connections: 10\n  max-connections-per-ip: 10\n")
                    .limits().maxConnectionsPerIp());
        }

        @Test
        void shutdownGraceMayBeZero() {
            assertEquals(Duration.ZERO, parse("server:\n  shutdown-grace: 0s\n").server().shutdownGrace());
        }

        @Test
        void hostnameMustBeAHostName() {
            assertError(fails("server:\n  hostname: mx_1.example.com\n"), "server.hostname",
                    "'mx_1.example.com' is not a host name (letters, digits, hyphens and dots, e.g. mx.example.com)");
            assertError(fails("server:\n  hostname: mx.example.com.\n"), "server.hostname",
                    "'mx.example.com.' is not a host name (letters, digits, hyphens and dots, e.g. mx.example.com)");
        }

        @Test
        void dataDirectoryMustNotBeEmpty() {
            assertError(fails("server:\n  data-directory: ''\n"), "server.data-directory", "the path is empty");
        }
    }

    @Nested
    class Listeners {

        @Test
        void explicitlyEmptyListIsAnError() {
            assertError(fails("listeners: []\n"), "listeners", "at least one listener is required");
        }

        @Test
        void nameAndAddressAreRequired() {
            assertError(fails("listeners:\n  - address: 0.0.0.0:25\n"), "listeners[0].name", "required key is missing");
            assertError(fails("listeners:\n  - name: mx\n"), "listeners[0].address", "required key is missing");
        }

        @Test
        void nameSyntax() {
            assertError(fails("listeners:\n  - {name: MX, address: '0.0.0.0:25'}\n"), "listeners[0].name",
                    "'MX' is not a listener name (lowercase letters, digits and '-', e.g. mx or submission)");
        }

        @Test
        void duplicateNames() {
            String yaml = """
                    listeners:
                      - {name: mx, address: '0.0.0.0:25'}
                      - {name: mx, address: '0.0.0.0:587'}
                    """;
            assertError(fails(yaml), "listeners[1].name", "'mx' is already the name of listeners[0]");
        }

        @Test
        void duplicateAddressesButEphemeralPortsMayRepeat() {
            String yaml = """
                    listeners:
                      - {name: a, address: '127.0.0.1:2525'}
                      - {name: b, address: '[::ffff:127.0.0.1]:2525'}
                    """;
            assertError(fails(yaml), "listeners[1].address",
                    "'[::ffff:127.0.0.1]:2525' is already the address of listeners[0]");
            assertEquals(2, parse("""
                    listeners:
                      - {name: a, address: '127.0.0.1:0'}
                      - {name: b, address: '127.0.0.1:0'}
                    """).listeners().size());
        }

        @Test
        void addressForms() throws Exception {
            String yaml = """
                    listeners:
                      - {name: a, address: '127.0.0.1:25'}
                      - {name: b, address: '[::1]:26'}
                      - {name: c, address: 'localhost:27'}
                      - {name: d, address: '[::]:65535'}
                      - {name: e, address: '0.0.0.0:0'}
                    """;
            List<ListenerConfig> listeners = parse(yaml).listeners();
            assertEquals(socket("127.0.0.1", 25), listeners.get(0).address());
            assertEquals(socket("::1", 26), listeners.get(1).address());
            assertEquals(socket("localhost", 27), listeners.get(2).address());
            assertEquals(socket("::", 65535), listeners.get(3).address());
            assertEquals(socket("0.0.0.0", 0), listeners.get(4).address());
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "0.0.0.0            | '0.0.0.0' is not an address: the port is missing (use host:port, e.g. 127.0.0.1:2525 or [::1]:2525)",
            "0.0.0.0:65536      | '0.0.0.0:65536' is not an address: the port must be a number from 0 to 65535",
            "0.0.0.0:-1         | '0.0.0.0:-1' is not an address: the port must be a number from 0 to 65535",
            "0.0.0.0:smtp       | '0.0.0.0:smtp' is not an address: the port must be a number from 0 to 65535",
            "0.0.0.0:           | '0.0.0.0:' is not an address: the port must be a number from 0 to 65535",
            ":25                | ':25' is not an address: the host is missing (0.0.0.0 or [::] listens on all addresses)",
            "::1:25             | '::1:25' is not an address: an IPv6 address must be in brackets, e.g. [::1]:2525",
            "[::1]              | '[::1]' is not an address (use host:port, e.g. 127.0.0.1:2525 or [::1]:2525)",
            "[::1]:25:26        | '[::1]:25:26' is not an address (use host:port, e.g. 127.0.0.1:2525 or [::1]:2525)",
            "[localhost]:25     | '[localhost]:25' is not an address: only IPv6 addresses go in brackets",
            "nosuch.invalid:25  | 'nosuch.invalid:25' is not an address: its host cannot be resolved",
        })
        void badAddresses(String address, String reason) {
            assertError(fails("listeners:\n  - name: mx\n    address: '" + address + "'\n"), "listeners[0].address", reason);
        }
    }

    @Nested
    class Tls {

        @Test
        void omittedOrNoneMeansNoTls() {
            assertEquals(TlsConfig.none(), parse("listeners:\n  - {name: mx, address: '0.0.0.0:25'}\n")
                    .listeners().get(0).tls());
            assertEquals(TlsConfig.none(), parse("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {}}\n")
                    .listeners().get(0).tls());
        }

        @Test
        void starttlsWithoutCertificate(@TempDir Path dir) throws Exception {
            Path key = Files.writeString(dir.resolve("key.pem"), "key");
            assertError(fails("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {mode: starttls, key: '" + key + "'}}\n"),
                    "listeners[0].tls.certificate", "required when the mode is starttls");
        }

        @Test
        void implicitWithoutKey(@TempDir Path dir) throws Exception {
            Path cert = Files.writeString(dir.resolve("cert.pem"), "cert");
            assertError(fails("listeners:\n  - {name: s, address: '0.0.0.0:465', tls: {mode: implicit, certificate: '" + cert + "'}}\n"),
                    "listeners[0].tls.key", "required when the mode is implicit");
        }

        @Test
        void certificateThatDoesNotExist(@TempDir Path dir) throws Exception {
            Path key = Files.writeString(dir.resolve("key.pem"), "key");
            Path missing = dir.resolve("missing.pem");
            String yaml = """
                    listeners:
                      - name: plain
                        address: 127.0.0.1:0
                      - name: mx
                        address: 0.0.0.0:25
                        tls:
                          mode: starttls
                          certificate: '%s'
                          key: '%s'
                    """.formatted(missing, key);
            assertError(fails(yaml), "listeners[1].tls.certificate", "file '" + missing + "' does not exist");
        }

        @Test
        void certificateThatIsADirectory(@TempDir Path dir) throws Exception {
            Path key = Files.writeString(dir.resolve("key.pem"), "key");
            assertError(fails("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {mode: starttls, certificate: '"
                            + dir + "', key: '" + key + "'}}\n"),
                    "listeners[0].tls.certificate", "'" + dir + "' is not a regular file");
        }

        @Test
        void filesAreRefusedWhenTlsIsOff(@TempDir Path dir) throws Exception {
            Path cert = Files.writeString(dir.resolve("cert.pem"), "cert");
            assertError(fails("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {certificate: '" + cert + "'}}\n"),
                    "listeners[0].tls.certificate", "only used with mode starttls or implicit, but the mode is none");
            assertError(fails("listeners:\n  - {name: mx, address: '0.0.0.0:25', tls: {mode: none, key: '" + cert + "'}}\n"),
                    "listeners[0].tls.key", "only used with mode starttls or implicit, but the mode is none");
        }
    }

    @Nested
    class Filters {

        @Test
        void settingsAreKeptUntouchedWithTypeAndNameSplitOut() {
            String yaml = """
                    filters:
                      - name: relay
                        type: relay-rules
                        timeout: 500ms
                        accepted-domains: [example.com, example.org]
                        trusted-networks: ["10.0.0.0/8"]
                        strict: true
                        max: 10MB
                        weight: 3
                        big: 10000000000
                        huge: 123456789012345678901234567890
                        ratio: 0.25
                        since: 2024-01-01
                        empty:
                        dns: {server: 10.0.0.53, port: 53, retries: [1, 2]}
                    """;
            FilterConfig f = parse(yaml).filters().get(0);
            assertEquals("relay", f.name());
            assertEquals("relay-rules", f.type());
            assertEquals(Duration.ofMillis(500), f.timeout());
            assertEquals(List.of("accepted-domains", "trusted-networks", "strict", "max", "weight", "big", "huge",
                    "ratio", "since", "empty", "dns"), List.copyOf(f.settings().keySet()));
            assertEquals(List.of("example.com", "example.org"), f.settings().get("accepted-domains"));
            assertEquals(Boolean.TRUE, f.settings().get("strict"));
            assertEquals("10MB", f.settings().get("max"));
            assertEquals(Integer.valueOf(3), f.settings().get("weight"));
            assertEquals(Long.valueOf(10_000_000_000L), f.settings().get("big"));
            assertEquals(new java.math.BigInteger("123456789012345678901234567890"), f.settings().get("huge"));
            assertEquals(Double.valueOf(0.25), f.settings().get("ratio"));
            assertEquals("2024-01-01", f.settings().get("since"));
            assertTrue(f.settings().containsKey("empty"));
            assertEquals(null, f.settings().get("empty"));
            assertEquals(Map.of("server", "10.0.0.53", "port", 53, "retries", List.of(1, 2)), f.settings().get("dns"));
        }

        @Test
        @SuppressWarnings("unchecked")
        void settingsAreUnmodifiableAllTheWayDown() {
            FilterConfig f = parse("filters:\n  - type: a\n    list: [1]\n    map: {k: [x]}\n").filters().get(0);
            assertThrows(UnsupportedOperationException.class, () -> f.settings().put("x", 1));
            assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) f.settings().get("list")).add(2));
            Map<String, Object> map = (Map<String, Object>) f.settings().get("map");
            assertThrows(UnsupportedOperationException.class, () -> map.put("j", 1));
            assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) map.get("k")).add("y"));
        }

        @Test
        void nameDefaultsToTypeAndTimeoutTo30s() {
            FilterConfig f = parse("filters:\n  - type: size-limit\n").filters().get(0);
            assertEquals(new FilterConfig("size-limit", "size-limit", Duration.ofSeconds(30), Map.of()), f);
        }

        @Test
        void orderIsKept() {
            List<FilterConfig> filters = parse("filters:\n  - type: c\n  - type: a\n  - type: b\n").filters();
            assertEquals(List.of("c", "a", "b"), filters.stream().map(FilterConfig::name).toList());
        }

        @Test
        void duplicateNames() {
            assertError(fails("filters:\n  - type: spf\n  - type: spf\n"), "filters[1].name",
                    "'spf' is already the name of filters[0] (give each filter of the same type its own name)");
            assertError(fails("filters:\n  - {name: x, type: a}\n  - {name: y, type: b}\n  - {name: x, type: c}\n"),
                    "filters[2].name", "'x' is already the name of filters[0] (give each filter of the same type its own name)");
            assertEquals(2, parse("filters:\n  - type: spf\n  - {name: spf-2, type: spf}\n").filters().size());
        }

        @Test
        void typeIsRequiredAndKebabCase() {
            assertError(fails("filters:\n  - name: x\n"), "filters[0].type", "required key is missing");
            assertError(fails("filters:\n  - type: sizeLimit\n"), "filters[0].type",
                    "'sizeLimit' is not a filter type (kebab-case: lowercase letters and digits in words joined by '-')");
            assertError(fails("filters:\n  - type: size--limit\n"), "filters[0].type",
                    "'size--limit' is not a filter type (kebab-case: lowercase letters and digits in words joined by '-')");
            assertError(fails("filters:\n  - {type: a, name: 'A b'}\n"), "filters[0].name",
                    "'A b' is not a filter name (lowercase letters, digits and '-')");
        }

        @Test
        void entriesMustBeMapsWithStringKeys() {
            assertError(fails("filters:\n  - size-limit\n"), "filters[0]", "expected a map of keys, got the string 'size-limit'");
            assertError(fails("filters:\n  - type: a\n    on: true\n"), "filters[0].true",
                    "this key is the boolean true, not a string (quote it)");
            assertError(fails("filters:\n  - type: a\n    codes: {550: x}\n"), "filters[0].codes.550",
                    "this key is the integer 550, not a string (quote it)");
            assertError(fails("filters: {type: a}\n"), "filters", "expected a list, got a map");
        }

        @Test
        void exoticYamlTypesAreRefused() {
            assertError(fails("filters:\n  - type: a\n    s: !!set {x, y}\n"), "filters[0].s",
                    "unsupported value: a set (use strings, numbers, booleans, lists and maps)");
            assertError(fails("filters:\n  - type: a\n    l: [1, !!binary aGk=]\n"), "filters[0].l[1]",
                    "unsupported value: binary data (use strings, numbers, booleans, lists and maps)");
        }

        @Test
        void keyPathHelpers() {
            assertEquals("filters[2]", FilterConfig.keyPath(2));
            assertEquals("filters[2].max", FilterConfig.keyPath(2, "max"));
        }
    }

    @Nested
    class Routes {

        @Test
        void domainsAreLowercased() {
            assertEquals(List.of(new RouteConfig(List.of("example.com", "*.example.org", "*"), RouteMode.CAPTURE)),
                    parse("routes:\n  - {domains: [EXAMPLE.com, '*.Example.ORG', '*'], mode: capture}\n").routes());
        }

        @ParameterizedTest
        @ValueSource(strings = {"queue", "inline-then-queue"})
        void queueModesNeedNextHops(String mode) {
            assertError(fails("routes:\n  - domains: ['*']\n    mode: " + mode + "\n"), "routes[0].next-hops",
                    "a route with mode " + mode + " needs next-hops, e.g. [\"smtp://10.0.0.5:25\"]");
        }

        @Test
        void unknownModeAndMissingMode() {
            assertError(fails("routes:\n  - {domains: ['*'], mode: relay}\n"), "routes[0].mode",
                    "'relay' is not a route mode (use 'capture', 'inline', 'queue' or 'inline-then-queue')");
            assertError(fails("routes:\n  - {domains: ['*']}\n"), "routes[0].mode", "required key is missing");
        }

        @Test
        void domainsAreRequiredValidAndUnique() {
            assertError(fails("routes: []\n"), "routes", "at least one route is required");
            assertError(fails("routes:\n  - {mode: capture}\n"), "routes[0].domains", "required key is missing");
            assertError(fails("routes:\n  - {domains: [], mode: capture}\n"), "routes[0].domains",
                    "at least one domain is required");
            assertError(fails("routes:\n  - {domains: [a.example, 'b..example'], mode: capture}\n"), "routes[0].domains[1]",
                    "'b..example' is not a domain pattern (use *, example.com or *.example.com)");
            assertError(fails("routes:\n  - {domains: ['example.*'], mode: capture}\n"), "routes[0].domains[0]",
                    "'example.*' is not a domain pattern (use *, example.com or *.example.com)");
            assertError(fails("routes:\n  - {domains: [7], mode: capture}\n"), "routes[0].domains[0]",
                    "expected a domain, got the integer 7");
            assertError(fails("routes:\n  - {domains: [example.com], mode: capture}\n  - {domains: [Example.Com], mode: capture}\n"),
                    "routes[1].domains[0]", "'Example.Com' is already routed by routes[0]");
        }
    }

    @Nested
    class Yaml {

        @Test
        void duplicateKey() {
            assertError(fails("server:\n  worker-threads: 4\n  worker-threads: 8\n"), "",
                    "duplicate key 'worker-threads' at line 3, column 3 (a key may appear only once in a map)");
            assertError(fails("limits: {}\nlimits: {}\n"), "",
                    "duplicate key 'limits' at line 2, column 1 (a key may appear only once in a map)");
        }

        @Test
        void syntaxErrorGivesLineAndColumn() {
            ConfigException e = fails("server:\n  hostname: mx.example.com\n worker-threads: 4\n");
            assertEquals("", e.keyPath());
            assertTrue(e.getMessage().startsWith("invalid YAML at line 3, column 2: "), e.getMessage());

            e = fails("limits:\n  max-recipients: 10\n  idle-timeout: [5m\n");
            assertTrue(e.getMessage().startsWith("invalid YAML at line 4, column 1: "), e.getMessage());
            assertTrue(e.getMessage().contains("flow sequence"), e.getMessage());
        }

        @Test
        void tabsAreASyntaxError() {
            ConfigException e = fails("server:\n\thostname: mx\n");
            assertTrue(e.getMessage().startsWith("invalid YAML at line 2, column 1: "), e.getMessage());
        }

        @Test
        void multipleDocumentsAreRefused() {
            ConfigException e = fails("server: {}\n---\nlimits: {}\n");
            assertEquals("invalid YAML at line 2, column 1: expected a single document in the stream, but found another document",
                    e.getMessage());
        }

        @Test
        void javaTypesCannotBeInstantiated() {
            ConfigException e = fails("server: !!java.io.File /etc/passwd\n");
            assertEquals("", e.keyPath());
            assertTrue(e.getMessage().startsWith("invalid YAML at line 1, column 9: "), e.getMessage());
        }

        @Test
        void aliasBombsAreStopped() {
            StringBuilder yaml = new StringBuilder("filters:\n  - type: a\n    l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
            for (int i = 1; i < 60; i++) {
                yaml.append("    l").append(i).append(": &l").append(i).append(" [*l").append(i - 1)
                        .append(", *l").append(i - 1).append("]\n");
            }
            ConfigException e = fails(yaml.toString());
            assertEquals("", e.keyPath());
            assertTrue(e.getMessage().contains("aliases"), e.getMessage());
        }

        @Test
        void aFewAliasesAreFine() {
            FilterConfig f = parse("filters:\n  - type: a\n    nets: &nets [10.0.0.0/8]\n  - type: b\n    nets: *nets\n")
                    .filters().get(1);
            assertEquals(List.of("10.0.0.0/8"), f.settings().get("nets"));
        }
    }
}
