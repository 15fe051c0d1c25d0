package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listener roles, PROXY protocol, additional certificates and the auth block in the YAML file. */
class SubmissionConfigTest {

    @TempDir
    Path dir;
    String cert;
    String key;
    String users;

    @BeforeEach
    void files() throws Exception {
        cert = Files.writeString(dir.resolve("cert.pem"), "x").toString();
        key = Files.writeString(dir.resolve("key.pem"), "x").toString();
        users = Files.writeString(dir.resolve("users"), "").toString();
    }

    private String listener(String role, String mode) {
        return "listeners:\n  - name: sub\n    address: 127.0.0.1:0\n    role: " + role + "\n"
                + "    tls: {mode: " + mode + ", certificate: \"" + cert + "\", key: \"" + key + "\"}\n";
    }

    private ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of()));
    }

    @Test
    void rolesAndTheirDefaults() {
        MoatConfig c = ConfigLoader.parse(listener("submission", "starttls") + "auth: {users-file: \"" + users + "\"}\n", Map.of());
        assertEquals(ListenerRole.SUBMISSION, c.listeners().get(0).role());
        assertEquals(ListenerRole.MX, ConfigLoader.parse("", Map.of()).listeners().get(0).role());
        AuthConfig auth = c.auth();
        assertEquals(Path.of(users), auth.usersFile().orElseThrow());
        assertTrue(auth.senderLogins().isEmpty());
        assertFalse(auth.checkFromHeader());
        assertFalse(auth.receivedShowsUser());
        assertEquals(Duration.ofMinutes(15), auth.failureWindow());
        assertEquals(10, auth.maxFailuresPerIp());
        assertEquals(20, auth.maxFailuresPerUser());
        assertEquals(Duration.ofMinutes(15), auth.blockDuration());
        assertEquals(Duration.ofSeconds(1), auth.failureDelay());
        assertEquals(Duration.ofSeconds(5), auth.maxFailureDelay());
        assertEquals(Duration.ofSeconds(5), auth.reloadInterval());
        assertEquals(TlsConfig.DEFAULT_RELOAD_INTERVAL, c.listeners().get(0).tls().reloadInterval());
    }

    @Test
    void aRoleNeedsItsTlsModeAndUsers() {
        ConfigException e = error(listener("submission", "implicit") + "auth: {users-file: \"" + users + "\"}\n");
        assertEquals("listeners[0].tls.mode", e.keyPath());
        assertEquals("a listener with role submission needs mode starttls, got implicit", e.reason());
        e = error("listeners:\n  - name: s\n    address: 127.0.0.1:0\n    role: submissions\n"
                + "auth: {users-file: \"" + users + "\"}\n");
        assertEquals("a listener with role submissions needs mode implicit, got none", e.reason());
        e = error(listener("submission", "starttls"));
        assertEquals("auth.users-file", e.keyPath());
        assertEquals("required because listeners[0] has role submission", e.reason());
        e = error(listener("relay", "starttls"));
        assertEquals("listeners[0].role", e.keyPath());
        e = error(listener("submission", "starttls") + "auth: {users-file: \"" + dir.resolve("missing") + "\"}\n");
        assertEquals("auth.users-file", e.keyPath());
        e = error("auth: {max-failure-delay: 1m}\n");
        assertEquals("auth.max-failure-delay", e.keyPath());
        e = error("auth: {password-file: x}\n");
        assertEquals("auth.password-file", e.keyPath());
    }

    @Test
    void proxyProtocolNeedsTrustedProxies() throws Exception {
        MoatConfig c = ConfigLoader.parse("listeners:\n  - name: mx\n    address: 127.0.0.1:0\n    proxy-protocol: true\n"
                + "    trusted-proxies: [\"10.0.0.0/8\", \"2001:db8::1\"]\n", Map.of());
        ProxyProtocolConfig proxy = c.listeners().get(0).proxyProtocol();
        assertTrue(proxy.enabled());
        assertTrue(proxy.trusts(InetAddress.getByName("10.200.3.4")));
        assertFalse(proxy.trusts(InetAddress.getByName("11.0.0.1")));
        assertTrue(proxy.trusts(InetAddress.getByName("2001:db8::1")));
        assertFalse(proxy.trusts(InetAddress.getByName("2001:db8::2")));
        assertFalse(ConfigLoader.parse("", Map.of()).listeners().get(0).proxyProtocol().enabled());

        ConfigException e = error("listeners:\n  - name: mx\n    address: 127.0.0.1:0\n    proxy-protocol: true\n");
        assertEquals("listeners[0].trusted-proxies", e.keyPath());
        e = error("listeners:\n  - name: mx\n    address: 127.0.0.1:0\n    trusted-proxies: [\"10.0.0.1\"]\n");
        assertEquals("only used with proxy-protocol: true", e.reason());
        e = error("listeners:\n  - name: mx\n    address: 127.0.0.1:0\n    proxy-protocol: true\n"
                + "    trusted-proxies: [\"10.0.0.0/33\"]\n");
        assertEquals("listeners[0].trusted-proxies[0]", e.keyPath());
        assertEquals("'10.0.0.0/33' is not a trusted proxy: the prefix length must be a number from 0 to 32", e.reason());
        e = error("listeners:\n  - name: mx\n    address: 127.0.0.1:0\n    proxy-protocol: true\n"
                + "    trusted-proxies: [\"proxy.example\"]\n");
        assertEquals("'proxy.example' is not a trusted proxy: expected an IP address or network such as 10.0.0.0/8 or 2001:db8::/32", e.reason());
    }

    @Test
    void additionalCertificatesAndReloadInterval() {
        MoatConfig c = ConfigLoader.parse("listeners:\n  - name: mx\n    address: 127.0.0.1:0\n"
                + "    tls:\n      mode: starttls\n      certificate: \"" + cert + "\"\n      key: \"" + key + "\"\n"
                + "      reload-interval: 10s\n"
                + "      additional-certificates:\n        - {certificate: \"" + cert + "\", key: \"" + key + "\"}\n", Map.of());
        TlsConfig tls = c.listeners().get(0).tls();
        assertEquals(Duration.ofSeconds(10), tls.reloadInterval());
        assertEquals(List.of(new TlsConfig.CertificateFiles(Path.of(cert), Path.of(key)),
                new TlsConfig.CertificateFiles(Path.of(cert), Path.of(key))), tls.allCertificates());
        ConfigException e = error("listeners:\n  - name: mx\n    address: 127.0.0.1:0\n"
                + "    tls:\n      mode: starttls\n      certificate: \"" + cert + "\"\n      key: \"" + key + "\"\n"
                + "      additional-certificates:\n        - {certificate: \"" + cert + "\"}\n");
        assertEquals("listeners[0].tls.additional-certificates[0].key", e.keyPath());
    }
}
