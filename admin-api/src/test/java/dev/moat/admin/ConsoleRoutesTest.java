package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.HTTP;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.assertError;
import static dev.moat.admin.AdminTestSupport.get;
import static dev.moat.admin.AdminTestSupport.getBytes;
import static dev.moat.admin.AdminTestSupport.request;
import static dev.moat.admin.AdminTestSupport.send;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's static files, and the decoded message parts it shows. */
class ConsoleRoutesTest {

    @TempDir
    static Path dir;

    static TestGateway gw;
    static String id;

    static final String MESSAGE = "From: a@client.test\r\nTo: b@dest.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + "Caf=E9 cr=E8me=\r\n, soft break\r\n"
            + "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick=\"x()\">hi</p><script>alert(1)</script>\r\n"
            + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"x.bin\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\nAAEC/f7/\r\n"
            + "--b--\r\n";

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.builder(dir).yaml(adminYaml() + "admin:\n  public-metrics: false\n".replace("admin:\n", "")).start();
        id = sendMail(gw, "a@client.test", List.of("b@dest.test"), MESSAGE);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void theConsoleIsServedWithoutTheTokenAndWithAStrictPolicy() throws Exception {
        HttpResponse<String> redirect = get(gw, "/console", null);
        assertEquals(308, redirect.statusCode());
        assertEquals("/console/", redirect.headers().firstValue("Location").orElse(""));
        HttpResponse<String> page = get(gw, "/console/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("<script src=\"console.js\" defer></script>"), page.body());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && csp.contains("img-src 'self' data:")
                && csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        assertEquals(200, get(gw, "/console/console.js", null).statusCode());
        assertTrue(get(gw, "/console/console.js", null).headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertEquals(200, get(gw, "/console/console.css", null).statusCode());
        assertError(get(gw, "/console/secrets.txt", null), 404, "not_found");
        assertError(get(gw, "/console/%2e%2e/dev/moat/admin/AdminHandler.class", null), 400, "bad_request");
        assertError(send(gw, "POST", "/console/", null), 405, "method_not_allowed");
    }

    @Test
    void partsAreServedDecodedAsAttachmentsAndTextIsNeverHtml() throws Exception {
        String base = "/api/v1/capture/messages/" + id + "/parts/";
        HttpResponse<byte[]> text = getBytes(gw, base + "1");
        assertEquals(200, text.statusCode());
        assertEquals("text/plain; charset=utf-8", text.headers().firstValue("Content-Type").orElse(""));
        assertEquals("Café crème, soft break", new String(text.body(), StandardCharsets.UTF_8));
        assertTrue(text.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));

        HttpResponse<byte[]> html = getBytes(gw, base + "2");
        assertEquals("text/plain; charset=utf-8", html.headers().firstValue("Content-Type").orElse(""));
        assertEquals("<p onclick=\"x()\">hi</p><script>alert(1)</script>", new String(html.body(), StandardCharsets.UTF_8));
        assertTrue(html.headers().firstValue("Content-Security-Policy").orElse("").startsWith("sandbox"));
        assertEquals("nosniff", html.headers().firstValue("X-Content-Type-Options").orElse(""));

        HttpResponse<byte[]> bin = getBytes(gw, base + "3");
        assertEquals("application/octet-stream", bin.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xfd, (byte) 0xfe, (byte) 0xff}, bin.body());

        assertError(get(gw, base + "0"), 404, "not_found"); // the multipart itself has no body of its own
        assertError(get(gw, base + "4"), 404, "not_found");
        assertError(get(gw, "/api/v1/capture/messages/NOSUCH/parts/1"), 404, "not_found");
        assertError(get(gw, base + "1", null), 401, "unauthorized");
        assertError(get(gw, "/metrics", null), 401, "unauthorized"); // metrics are not public here, the console is
    }
}
