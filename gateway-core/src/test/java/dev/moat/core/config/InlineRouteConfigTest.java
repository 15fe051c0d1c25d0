package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InlineRouteConfigTest {

    @TempDir
    Path dir;

    private static MoatConfig parse(String yaml, Map<String, String> env) {
        return ConfigLoader.parse(yaml, env);
    }

    private static ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of()));
    }

    @Test
    void fullInlineRoute() {
        RouteConfig route = parse("""
                routes:
                  - domains: [example.com, "*.example.com"]
                    mode: inline
                    next-hops: ["smtp://10.0.0.5:2525", "[2001:db8::1]", "mx2.internal"]
                    tls: {mode: required}
                    auth: {username: relay, password: "${PW}"}
                    connect-timeout: 5s
                    command-timeout: 20s
                    data-timeout: 2m
                """, Map.of("PW", "s3cret")).routes().get(0);
        assertEquals(RouteMode.INLINE, route.mode());
        assertEquals(List.of(new NextHop("10.0.0.5", 2525), new NextHop("2001:db8::1", 25), new NextHop("mx2.internal", 25)),
                route.nextHops());
        assertEquals(NextHopTlsMode.REQUIRED, route.tls().mode());
        assertEquals(Optional.of(new NextHopAuth("relay", "s3cret")), route.auth());
        assertEquals(Duration.ofSeconds(5), route.connectTimeout());
        assertEquals(Duration.ofSeconds(20), route.commandTimeout());
        assertEquals(Duration.ofMinutes(2), route.dataTimeout());
        assertFalse(route.toString().contains("s3cret"), "the password must never be printed: " + route);
    }

    @Test
    void defaultsOfAnInlineRoute() {
        RouteConfig route = parse("routes:\n  - {domains: [a.test], mode: inline, next-hops: [\"smtp://127.0.0.1:25\"]}\n",
                Map.of()).routes().get(0);
        assertEquals(NextHopTlsMode.OPPORTUNISTIC, route.tls().mode());
        assertEquals(Optional.empty(), route.auth());
        assertEquals(RouteConfig.DEFAULT_CONNECT_TIMEOUT, route.connectTimeout());
        assertEquals(RouteConfig.DEFAULT_COMMAND_TIMEOUT, route.commandTimeout());
        assertEquals(RouteConfig.DEFAULT_DATA_TIMEOUT, route.dataTimeout());
    }

    @Test
    void passwordFromAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "from-file\n");
        RouteConfig route = parse("routes:\n  - domains: [a.test]\n    mode: inline\n    next-hops: [\"smtp://h:25\"]\n"
                + "    auth: {username: u, password-file: \"" + file + "\"}\n", Map.of()).routes().get(0);
        assertEquals("from-file", route.auth().orElseThrow().password());
    }

    @Test
    void verifyWithTrustFileAndExpectedName() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not checked at load\n");
        RouteConfig route = parse("routes:\n  - domains: [a.test]\n    mode: inline\n    next-hops: [\"smtp://h:25\"]\n"
                + "    tls: {mode: verify, trust-file: \"" + ca + "\", expected-name: mx.internal}\n", Map.of()).routes().get(0);
        assertEquals(NextHopTlsMode.VERIFY, route.tls().mode());
        assertEquals(Optional.of(ca), route.tls().trustFile());
        assertEquals(Optional.of("mx.internal"), route.tls().expectedName());
    }

    @Test
    void errorsNameTheKey() {
        assertEquals("routes[0].next-hops", fails("routes:\n  - {domains: [a.test], mode: inline}\n").keyPath());
        assertEquals("routes[0].next-hops[1]", fails(
                "routes:\n  - {domains: [a.test], mode: inline, next-hops: [\"smtp://h:25\", \"http://h\"]}\n").keyPath());
        assertEquals("routes[0].next-hops[0]", fails(
                "routes:\n  - {domains: [a.test], mode: inline, next-hops: [\"smtp://h:99999\"]}\n").keyPath());
        assertEquals("routes[0].next-hops", fails(
                "routes:\n  - {domains: [a.test], mode: capture, next-hops: [\"smtp://h:25\"]}\n").keyPath());
        assertEquals("routes[0].tls.trust-file", fails(
                "routes:\n  - {domains: [a.test], mode: inline, next-hops: [h], tls: {mode: required, trust-file: /x}}\n").keyPath());
        assertEquals("routes[0].tls.mode", fails(
                "routes:\n  - {domains: [a.test], mode: inline, next-hops: [h], tls: {mode: sometimes}}\n").keyPath());
        assertEquals("routes[0].auth.password", fails(
                "routes:\n  - {domains: [a.test], mode: inline, next-hops: [h], auth: {username: u}}\n").keyPath());
        ConfigException missingVar = fails(
                "routes:\n  - {domains: [a.test], mode: inline, next-hops: [h], auth: {username: u, password: \"${NOPE}\"}}\n");
        assertEquals("routes[0].auth.password", missingVar.keyPath());
        assertTrue(missingVar.getMessage().contains("NOPE"), missingVar.getMessage());
    }
}
