package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.json;
import static dev.moat.admin.AdminTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/config/reload} against a gateway started from a file, observed over SMTP. */
class ReloadApiTest {

    @TempDir
    Path dir;

    private TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static String gate(String prefix) {
        return adminYaml() + "filters:\n  - {name: gatekeeper, type: gate, reject-prefix: " + prefix + ", api-key: s3cret-value}\n";
    }

    private void start(String yaml) throws Exception {
        gw = TestGateway.builder(dir).filterType(AdminTestSupport.gateType()).reloadable().yaml(yaml).start();
    }

    private String rcpt(String to) throws IOException {
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220"));
            assertTrue(c.command("EHLO client.test").startsWith("250"));
            assertTrue(c.command("MAIL FROM:<a@client.test>").startsWith("250"));
            return c.command("RCPT TO:<" + to + ">");
        }
    }

    private HttpResponse<String> reload() throws Exception {
        return send(gw, "POST", "/api/v1/config/reload", TOKEN);
    }

    @Test
    void aGoodFileIsAppliedToTheNextTransaction() throws Exception {
        start(gate("reject"));
        assertTrue(rcpt("reject-me@dest.test").startsWith("550 5.7.1"));
        assertTrue(rcpt("deny-me@dest.test").startsWith("250"));

        gw.writeConfig(gate("deny"));
        HttpResponse<String> r = reload();
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(2, body.path("generation").asInt());
        assertTrue(body.path("filtersChanged").asBoolean());
        assertFalse(body.path("routesChanged").asBoolean());
        assertEquals("[\"filters\",\"routes\"]", body.path("applied").toString());
        assertEquals("[]", body.path("restartRequired").toString());
        assertEquals("filters and routes reloaded", body.path("message").asText());

        assertTrue(rcpt("reject-me@dest.test").startsWith("250"));
        assertEquals("550 5.7.1 Recipient refused by the test gate", rcpt("deny-me@dest.test"));

        JsonNode filters = json(get(gw, "/api/v1/filters")).path("filters");
        assertEquals("deny", filters.path(0).path("settings").path("reject-prefix").asText());
        assertEquals("****", filters.path(0).path("settings").path("api-key").asText());
        JsonNode status = json(get(gw, "/api/v1/status"));
        assertEquals(2, status.path("configuration").path("generation").asInt());
        assertEquals(gw.configFile().toString(), status.path("configuration").path("file").asText());
        JsonNode config = json(get(gw, "/api/v1/config"));
        assertEquals("deny", config.path("filters").path(0).path("reject-prefix").asText(), config.toString());

        Exposition m = Exposition.parse(get(gw, "/metrics").body());
        assertEquals(1.0, m.value("moat_config_reloads_total", "result", "applied"));
        assertEquals(2.0, m.value("moat_config_generation"));
    }

    @Test
    void aBadFileIsA400NamingTheKeyAndTheOldChainKeepsWorking() throws Exception {
        start(gate("reject"));
        gw.writeConfig(adminYaml() + "filters:\n  - {name: gatekeeper, type: gate, reject-prefix: deny, colour: red}\n");
        JsonNode error = assertError(reload(), 400, "invalid_config");
        assertTrue(error.path("message").asText().startsWith("filters[0].colour: unknown setting for filter type 'gate'"),
                error.toString());

        gw.writeConfig(adminYaml() + "limits:\n  max-recipients: lots\n");
        error = assertError(reload(), 400, "invalid_config");
        assertTrue(error.path("message").asText().startsWith("limits.max-recipients: "), error.toString());

        assertEquals("550 5.7.1 Recipient refused by the test gate", rcpt("reject-me@dest.test"));
        assertTrue(rcpt("deny-me@dest.test").startsWith("250"));
        assertEquals(1, json(get(gw, "/api/v1/status")).path("configuration").path("generation").asInt());
        Exposition m = Exposition.parse(get(gw, "/metrics").body());
        assertEquals(2.0, m.value("moat_config_reloads_total", "result", "rejected"));
        assertTrue(m.find("moat_config_reloads_total", "result", "applied").isEmpty());
    }

    @Test
    void aChangeThatNeedsARestartIsReportedNotApplied() throws Exception {
        start(gate("reject"));
        gw.writeConfig(gate("reject").replace("admin:\n", "admin:\n  public-metrics: false\n")
                + "limits:\n  max-recipients: 7\n");
        HttpResponse<String> r = reload();
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("[\"limits\",\"admin\"]", body.path("restartRequired").toString());
        assertEquals("filters and routes reloaded; changes to limits, admin were NOT applied: they take effect only after a restart",
                body.path("message").asText());
        assertFalse(body.path("filtersChanged").asBoolean());
        // still public: the admin block of the running process is the one it started with
        assertEquals(200, get(gw, "/metrics", null).statusCode());
    }

    @Test
    void theRouteNeedsTheTokenAndPost() throws Exception {
        start(gate("reject"));
        assertError(send(gw, "POST", "/api/v1/config/reload", null), 401, "unauthorized");
        assertError(send(gw, "POST", "/api/v1/config/reload", "wrong-token-0123456789"), 401, "unauthorized");
        HttpResponse<String> r = get(gw, "/api/v1/config/reload");
        assertError(r, 405, "method_not_allowed");
        assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
        assertEquals(1, json(get(gw, "/api/v1/status")).path("configuration").path("generation").asInt());
    }

    @Test
    void aGatewayStartedWithoutAFileAnswers409() throws Exception {
        gw = TestGateway.builder(dir).yaml(adminYaml()).start();
        JsonNode error = assertError(reload(), 409, "not_reloadable");
        assertTrue(error.path("message").asText().contains("without a configuration file"), error.toString());
    }
}
