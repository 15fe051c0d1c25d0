package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The records' own guards, for code that builds configurations without the loader. */
class RecordsTest {

    @Test
    void tlsFilesGoWithTheMode() {
        Path cert = Path.of("c.pem");
        Path key = Path.of("k.pem");
        assertTrue(TlsConfig.of(TlsMode.STARTTLS, cert, key).enabled());
        assertFalse(TlsConfig.none().enabled());
        assertThrows(IllegalArgumentException.class,
                () -> new TlsConfig(TlsMode.IMPLICIT, Optional.of(cert), Optional.empty()));
        assertThrows(IllegalArgumentException.class,
                () -> new TlsConfig(TlsMode.NONE, Optional.of(cert), Optional.of(key)));
        assertThrows(NullPointerException.class, () -> new TlsConfig(null, Optional.empty(), Optional.empty()));
    }

    @Test
    void listenerNameIsChecked() {
        InetSocketAddress any = new InetSocketAddress(0);
        assertThrows(IllegalArgumentException.class, () -> new ListenerConfig("Mx", any, TlsConfig.none()));
        assertThrows(NullPointerException.class, () -> new ListenerConfig("mx", null, TlsConfig.none()));
        assertEquals("mx-1", new ListenerConfig("mx-1", any, TlsConfig.none()).name());
    }

    @Test
    void limitsAreRangeChecked() {
        LimitsConfig d = LimitsConfig.defaults();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LimitsConfig(
                d.maxMessageSize(), 0, d.maxConnections(), d.maxConnectionsPerIp(), d.idleTimeout(),
                d.commandTimeout(), d.dataTimeout(), d.maxInvalidCommands(), d.maxCommandLineLength(),
                d.maxDataLineLength(), d.memoryBuffer(), d.bareLineEndings()));
        assertEquals("maxRecipients must be between 1 and 10000, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LimitsConfig(
                d.maxMessageSize(), d.maxRecipients(), d.maxConnections(), d.maxConnectionsPerIp(), Duration.ZERO,
                d.commandTimeout(), d.dataTimeout(), d.maxInvalidCommands(), d.maxCommandLineLength(),
                d.maxDataLineLength(), d.memoryBuffer(), d.bareLineEndings()));
        assertEquals("idleTimeout must be between 1ms and 1d, got 0ms", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LimitsConfig(
                d.maxMessageSize(), d.maxRecipients(), 10, 11, d.idleTimeout(),
                d.commandTimeout(), d.dataTimeout(), d.maxInvalidCommands(), d.maxCommandLineLength(),
                d.maxDataLineLength(), d.memoryBuffer(), d.bareLineEndings()));
    }

    @Test
    void serverDirectoriesLiveBelowTheDataDirectory() {
        ServerConfig s = new ServerConfig("mx.example.com", Path.of("/var/lib/moat"), 4, Duration.ZERO);
        assertEquals(Path.of("/var/lib/moat/spool"), s.spoolDirectory());
        assertEquals(Path.of("/var/lib/moat/capture"), s.captureDirectory());
        assertEquals(Path.of("/var/lib/moat/quarantine"), s.quarantineDirectory());
        assertThrows(IllegalArgumentException.class,
                () -> new ServerConfig("not a host", Path.of("d"), 4, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new ServerConfig("mx", Path.of("d"), 0, Duration.ZERO));
    }

    @Test
    void defaultHostnameIsAValidHostName() {
        assertTrue(DomainNames.isValid(ServerConfig.defaultHostname()), ServerConfig.defaultHostname());
        assertEquals(ServerConfig.defaultHostname(), ServerConfig.defaults().hostname());
    }

    @Test
    void filterSettingsAreCopiedAndFrozen() {
        List<Object> list = new ArrayList<>(List.of("a"));
        Map<String, Object> settings = new HashMap<>();
        settings.put("list", list);
        FilterConfig f = new FilterConfig("x", "x", Duration.ofSeconds(1), settings);
        list.add("b");
        settings.put("other", 1);
        assertEquals(Map.of("list", List.of("a")), f.settings());
        assertThrows(IllegalArgumentException.class,
                () -> new FilterConfig("x", "x", Duration.ofSeconds(1), Map.of("timeout", "5s")));
        assertThrows(IllegalArgumentException.class,
                () -> new FilterConfig("x", "x", Duration.ofSeconds(1), Map.of("when", new java.util.Date())));
        assertThrows(IllegalArgumentException.class,
                () -> new FilterConfig("x", "Bad_Type", Duration.ofSeconds(1), Map.of()));
    }

    @Test
    void routeMatching() {
        RouteConfig route = new RouteConfig(List.of("example.com", "*.example.org"), RouteMode.CAPTURE);
        assertTrue(route.matches("example.com"));
        assertTrue(route.matches("EXAMPLE.com"));
        assertFalse(route.matches("sub.example.com"));
        assertTrue(route.matches("a.example.org"));
        assertTrue(route.matches("a.b.example.org"));
        assertFalse(route.matches("example.org"));
        assertFalse(route.matches("badexample.org"));
        assertTrue(RouteConfig.defaults().get(0).matches("anything.test"));
        assertThrows(IllegalArgumentException.class, () -> new RouteConfig(List.of(), RouteMode.CAPTURE));
        assertThrows(IllegalArgumentException.class, () -> new RouteConfig(List.of("Example.com"), RouteMode.CAPTURE));
        assertThrows(IllegalArgumentException.class, () -> new RouteConfig(List.of("*example.com"), RouteMode.CAPTURE));
    }

    @Test
    void wholeConfigNeedsListenersAndRoutesWithUniqueNames() {
        MoatConfig d = ConfigLoader.defaults();
        assertThrows(IllegalArgumentException.class,
                () -> new MoatConfig(d.server(), List.of(), d.limits(), d.filters(), d.routes(), d.capture()));
        assertThrows(IllegalArgumentException.class,
                () -> new MoatConfig(d.server(), d.listeners(), d.limits(), d.filters(), List.of(), d.capture()));
        assertThrows(IllegalArgumentException.class, () -> new MoatConfig(d.server(),
                List.of(d.listeners().get(0), d.listeners().get(0)), d.limits(), d.filters(), d.routes(), d.capture()));
        FilterConfig f = new FilterConfig("a", "a", Duration.ofSeconds(1), Map.of());
        assertThrows(IllegalArgumentException.class,
                () -> new MoatConfig(d.server(), d.listeners(), d.limits(), List.of(f, f), d.routes(), d.capture()));
        assertThrows(UnsupportedOperationException.class, () -> d.listeners().add(d.listeners().get(0)));
    }

    @Test
    void exceptionFormat() {
        ConfigException e = new ConfigException("limits.max-recipients", "'0' is too small (at least 1)");
        assertEquals("limits.max-recipients: '0' is too small (at least 1)", e.getMessage());
        assertEquals("limits.max-recipients", e.keyPath());
        assertEquals("'0' is too small (at least 1)", e.reason());
        assertEquals("whole document", new ConfigException("", "whole document").getMessage());
    }

    @Test
    void yamlNamesOfEnums() {
        assertEquals("starttls", TlsMode.STARTTLS.yamlName());
        assertEquals("normalize", BareLineEndings.NORMALIZE.yamlName());
        assertEquals("capture", RouteMode.CAPTURE.yamlName());
    }
}
