package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminConfigTest {

    private static AdminConfig admin(String yaml, Map<String, String> env) {
        return ConfigLoader.parse(yaml, env).admin();
    }

    private static ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of()));
    }

    @Test
    void defaultsAreLoopbackWithoutToken() {
        AdminConfig a = ConfigLoader.defaults().admin();
        assertTrue(a.enabled());
        assertEquals("127.0.0.1", a.address().getAddress().getHostAddress());
        assertEquals(8025, a.address().getPort());
        assertEquals(Optional.empty(), a.token());
        assertTrue(a.publicMetrics());
        assertEquals(a, admin("", Map.of()));
    }

    @Test
    void tokenFromTheEnvironmentIsNeverPrinted() {
        AdminConfig a = admin("admin:\n  address: 0.0.0.0:8025\n  token: \"${T}\"\n  public-metrics: false\n",
                Map.of("T", "0123456789abcdef0123"));
        assertEquals(Optional.of("0123456789abcdef0123"), a.token());
        assertFalse(a.publicMetrics());
        assertFalse(a.toString().contains("0123456789abcdef"), a.toString());
    }

    @Test
    void errorsNameTheKey() {
        assertEquals("admin.token", fails("admin:\n  address: 0.0.0.0:8025\n").keyPath());
        assertEquals("admin.token", fails("admin:\n  token: short\n").keyPath());
        assertEquals("admin.address", fails("admin:\n  address: nowhere\n").keyPath());
        assertEquals("admin.enabled", fails("admin:\n  enabled: perhaps\n").keyPath());
        assertEquals("admin.port", fails("admin:\n  port: 8025\n").keyPath());
    }

    @Test
    void aDisabledAdminServerNeedsNoToken() {
        assertFalse(admin("admin:\n  enabled: false\n  address: 0.0.0.0:8025\n", Map.of()).enabled());
    }
}
