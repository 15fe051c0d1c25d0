package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.PluginJars;
import dev.moat.core.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/filters lists the plugins, a skipped one with its reason, and masks a plugin's declared secrets. */
class PluginsReportTest {

    @TempDir
    Path dir;

    private static final String PLUGIN = """
            package vault;
            import dev.moat.filter.*;
            import java.util.List;
            import java.util.Set;
            public final class VaultPlugin implements FilterPlugin {
                public List<FilterFactory> factories() {
                    return List.of(new FilterFactory() {
                        public String type() { return "vault"; }
                        public Set<String> settingKeys() { return Set.of("endpoint", "credential"); }
                        public Set<String> secretKeys() { return Set.of("credential"); }
                        public Filter create(FilterSettings s) { return new Filter() { }; }
                    });
                }
            }
            """;

    @Test
    void loadedAndSkippedPluginsAreReported() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJars.builder("vault").source("vault.VaultPlugin", PLUGIN).provider("vault.VaultPlugin").writeTo(plugins.resolve("vault"));
        PluginJars.builder("old").source("vault.VaultPlugin", PLUGIN.replace("return \"vault\"", "return \"old-vault\""))
                .provider("vault.VaultPlugin").apiVersion("0.3").writeTo(plugins.resolve("old"));
        Path data = Files.createDirectories(dir.resolve("data"));
        try (TestGateway gw = TestGateway.builder(data).yaml(adminYaml()
                + "plugins:\n  directory: \"" + plugins + "\"\n  on-error: skip\n"
                + "filters:\n  - type: vault\n    endpoint: https://vault.example\n    credential: s3cr3t-plugin-value\n").start()) {
            HttpResponse<String> r = get(gw, "/api/v1/filters");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = json(r);
            JsonNode settings = body.path("filters").get(0).path("settings");
            assertEquals("https://vault.example", settings.path("endpoint").asText());
            assertEquals("****", settings.path("credential").asText());
            JsonNode list = body.path("plugins");
            assertEquals(3, list.size(), r.body());
            JsonNode builtin = list.get(0);
            assertEquals("dev.moat.filters.BuiltinFilters", builtin.path("name").asText());
            assertEquals("class-path", builtin.path("source").asText());
            assertEquals("loaded", builtin.path("status").asText());
            assertEquals(7, builtin.path("types").size());
            JsonNode old = list.get(1);
            assertEquals("old", old.path("name").asText());
            assertEquals("skipped", old.path("status").asText());
            assertEquals(plugins.resolve("old").toString(), old.path("source").asText());
            assertEquals("0.3", old.path("apiVersion").asText());
            assertEquals(0, old.path("types").size());
            assertTrue(old.path("problem").asText().contains("built for filter API 0.3, but this Moat provides filter API 1.0"),
                    r.body());
            JsonNode vault = list.get(2);
            assertEquals("vault", vault.path("name").asText());
            assertEquals("loaded", vault.path("status").asText());
            assertEquals("1.0", vault.path("apiVersion").asText());
            assertEquals("vault", vault.path("types").get(0).asText());
            assertTrue(vault.path("problem").isNull());
            assertFalse(r.body().contains("s3cr3t-plugin-value"), r.body());

            HttpResponse<String> config = get(gw, "/api/v1/config");
            assertEquals("****", json(config).path("filters").get(0).path("credential").asText());
            assertFalse(config.body().contains("s3cr3t-plugin-value"), config.body());
            assertEquals("skip", json(config).path("plugins").path("on-error").asText());
        }
    }
}
