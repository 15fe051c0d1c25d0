package dev.moat.core.config;

import static dev.moat.core.config.ConfigLoaderTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {

    private static final Map<String, String> ENV = Map.of(
            "MOAT_HOST", "mx.example.com",
            "MOAT_DATA", "/srv/moat",
            "WORKERS", "8",
            "EMPTY", "",
            "TOKEN", "s3cr3t-t0ken",
            "NESTED", "${TOKEN}",
            "YAML_LOOKALIKE", "a: b\n- [c, {d: e}]\n&x *x");

    private static MoatConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, ENV);
    }

    private static ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, ENV));
    }

    private static Object setting(String yamlValue) {
        return parse("filters:\n  - type: t\n    v: " + yamlValue + "\n").filters().get(0).settings().get("v");
    }

    @Test
    void substitutesStringValues() {
        MoatConfig c = parse("server:\n  hostname: ${MOAT_HOST}\n  data-directory: ${MOAT_DATA}/var\n");
        assertEquals("mx.example.com", c.server().hostname());
        assertEquals(Path.of("/srv/moat/var"), c.server().dataDirectory());
    }

    @Test
    void substitutesInListsAndNestedSettings() {
        MoatConfig c = parse("""
                routes:
                  - domains: ["${MOAT_HOST}", "*.${MOAT_HOST}"]
                    mode: capture
                filters:
                  - type: auth
                    credentials: {token: "Bearer ${TOKEN}", list: ["${WORKERS}"]}
                """);
        assertEquals(List.of("mx.example.com", "*.mx.example.com"), c.routes().get(0).domains());
        assertEquals(Map.of("token", "Bearer s3cr3t-t0ken", "list", List.of("8")),
                c.filters().get(0).settings().get("credentials"));
    }

    @Test
    void numbersMayComeFromVariables() {
        assertEquals(8, parse("server:\n  worker-threads: ${WORKERS}\n").server().workerThreads());
        assertEquals(8, parse("server:\n  worker-threads: ${UNSET:-8}\n").server().workerThreads());
        assertEquals(Duration.ofSeconds(8), parse("server:\n  shutdown-grace: ${WORKERS}s\n").server().shutdownGrace());
        assertEquals(8 * Units.MB, parse("limits:\n  max-message-size: ${WORKERS}MB\n").limits().maxMessageSize());
    }

    @Test
    void fallbackWhenUnsetOrEmpty() {
        assertEquals("mx.fallback.example", parse("server:\n  hostname: ${UNSET:-mx.fallback.example}\n").server().hostname());
        assertEquals("mx.fallback.example", parse("server:\n  hostname: ${EMPTY:-mx.fallback.example}\n").server().hostname());
        assertEquals("mx.example.com", parse("server:\n  hostname: ${MOAT_HOST:-mx.fallback.example}\n").server().hostname());
        assertEquals("", setting("\"${UNSET:-}\""));
        assertEquals("", setting("\"${EMPTY}\""));
        assertEquals("a:b", setting("\"${UNSET:-a:b}\""));
    }

    @Test
    void missingVariableNamesTheVariableNotAnyValue() {
        ConfigException e = fails("server:\n  hostname: ${MOAT_HOSTNAME}\n");
        assertError(e, "server.hostname",
                "environment variable MOAT_HOSTNAME is not set (use ${MOAT_HOSTNAME:-fallback} to give a fallback)");
        for (String value : ENV.values()) {
            if (!value.isEmpty()) {
                assertFalse(e.getMessage().contains(value), e.getMessage());
            }
        }
    }

    @Test
    void missingVariableInAFilterSettingNamesTheSettingPath() {
        assertError(fails("filters:\n  - type: t\n  - type: u\n    auth: {users: [\"${USERS_FILE}\"]}\n"),
                "filters[1].auth.users[0]",
                "environment variable USERS_FILE is not set (use ${USERS_FILE:-fallback} to give a fallback)");
    }

    @Test
    void invalidSubstitutedValuesAreNotRepeated() {
        ConfigException e = fails("limits:\n  max-message-size: ${TOKEN}\n");
        assertError(e, "limits.max-message-size",
                "'${TOKEN}' (after substitution) is not a size (use e.g. 512KB, 25MB, 1GB)");
        e = fails("server:\n  worker-threads: ${TOKEN}\n");
        assertError(e, "server.worker-threads", "expected an integer, got '${TOKEN}' (after substitution)");
        e = fails("server:\n  hostname: x${TOKEN}_\n");
        assertError(e, "server.hostname", "'x${TOKEN}_' (after substitution) is not a host name "
                + "(letters, digits, hyphens and dots, e.g. mx.example.com)");
        e = fails("listeners:\n  - {name: mx, address: '${TOKEN}'}\n");
        assertError(e, "listeners[0].address", "'${TOKEN}' (after substitution) is not an address: the port is missing "
                + "(use host:port, e.g. 127.0.0.1:2525 or [::1]:2525)");
        e = fails("server:\n  worker-threads: ${WORKERS}000\n");
        assertError(e, "server.worker-threads", "'${WORKERS}000' (after substitution) is too large (at most 1024)");
    }

    @Test
    void doubleDollarEscapesALiteralReference() {
        assertEquals("${NOT_A_VAR}", setting("\"$${NOT_A_VAR}\""));
        assertEquals("${TOKEN} and s3cr3t-t0ken", setting("\"$${TOKEN} and ${TOKEN}\""));
        assertEquals("cost: $5, $$5, $", setting("\"cost: $5, $$5, $\""));
        assertEquals("$$", setting("$$"));
    }

    @Test
    void substitutedValuesAreNotScannedAgain() {
        assertEquals("${TOKEN}", setting("${NESTED}"));
    }

    @Test
    void valuesCannotInjectYamlStructure() {
        assertEquals("a: b\n- [c, {d: e}]\n&x *x", setting("${YAML_LOOKALIKE}"));
    }

    @Test
    void substitutionIsOnValuesNotKeysNorRawText() {
        // A reference in a key stays as written, and is then an unknown key.
        assertError(fails("limits:\n  ${KEY:-max-recipients}: 5\n"), "limits.${KEY:-max-recipients}",
                "unknown key (known keys: max-message-size, max-recipients, max-connections, max-connections-per-ip, "
                        + "idle-timeout, command-timeout, data-timeout, max-invalid-commands, "
                        + "max-command-line-length, max-data-line-length, memory-buffer, bare-line-endings)");
        // A reference in a comment is never looked at.
        assertEquals(ConfigLoader.defaults(), parse("# hostname: ${UNDEFINED}\n"));
    }

    @Test
    void malformedReferences() {
        assertError(fails("filters:\n  - type: t\n    v: \"${UNTERMINATED\"\n"), "filters[0].v",
                "unterminated '${' in '${UNTERMINATED' (write '$${' for a literal '${')");
        assertError(fails("filters:\n  - type: t\n    v: \"${1ABC}\"\n"), "filters[0].v",
                "'${1ABC}' is not a variable reference (a name is letters, digits and '_', not starting with a digit; "
                        + "write '$${' for a literal '${')");
        assertError(fails("filters:\n  - type: t\n    v: \"${}\"\n"), "filters[0].v",
                "'${}' is not a variable reference (a name is letters, digits and '_', not starting with a digit; "
                        + "write '$${' for a literal '${')");
        assertError(fails("filters:\n  - type: t\n    v: \"${A-B}\"\n"), "filters[0].v",
                "'${A-B}' is not a variable reference (a name is letters, digits and '_', not starting with a digit; "
                        + "write '$${' for a literal '${')");
    }

    @Test
    void environmentIsReadNotCopied() {
        Map<String, String> env = new HashMap<>();
        env.put("H", "a.example");
        EnvSubstitution substitution = new EnvSubstitution(env);
        assertEquals(new Text("a.example", "${H}", true), substitution.apply("${H}", "server.hostname"));
        assertEquals(Text.literal("plain"), substitution.apply("plain", "server.hostname"));
        assertEquals(new Text("${H}", "$${H}", false), substitution.apply("$${H}", "server.hostname"));
    }
}
