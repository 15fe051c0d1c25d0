package dev.moat.admin;

import static dev.moat.admin.AdminTestSupport.TOKEN;
import static dev.moat.admin.AdminTestSupport.adminYaml;
import static dev.moat.admin.AdminTestSupport.sendMail;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser: Debian's {@code chromium}, headless, driven by Playwright
 * ({@code playwright-core} from npm, in {@code src/test/console}) through {@code node}. The script
 * logs in with the token, finds a message captured over SMTP in the inbox, opens it (text part,
 * HTML part in a sandboxed frame, attachment list), takes a screenshot and deletes it; then it opens
 * the quarantine and releases a held message.
 *
 * <p>Nothing is skipped: without node, npm or chromium the test fails and says what to install
 * ({@code .ci/run} installs them). The npm package it installs itself ({@code npm ci}) when missing.
 */
class ConsoleBrowserTest {

    static final Path SCRIPT_DIR = Path.of("src", "test", "console").toAbsolutePath();
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @TempDir
    Path dir;

    @Test
    void theConsoleShowsACapturedMessageAndDeletesIt() throws Exception {
        String node = findNode();
        if (!Files.isExecutable(CHROMIUM)) {
            fail("the browser test needs Debian's chromium at " + CHROMIUM + ": apt-get install chromium (.ci/run does)");
        }
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) {
            installPlaywright(node);
        }

        // A remote image in the HTML part must never be fetched: count requests to it.
        AtomicInteger pixelHits = new AtomicInteger();
        HttpServer pixel = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pixel.createContext("/", exchange -> {
            pixelHits.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        pixel.start();
        try (TestGateway gw = TestGateway.builder(dir).filterType(AdminTestSupport.gateType()).yaml(adminYaml() + """
                filters:
                  - {name: gatekeeper, type: gate}
                """).start()) {
            String subject = "Quarterly report " + System.nanoTime();
            String message = message(subject, pixel.getAddress().getPort());
            String id = sendMail(gw, "alice@client.test", List.of("bob@dest.test"), message);
            assertTrue(gw.capture().find(id).isPresent());
            String heldSubject = "Held " + System.nanoTime();
            String heldId = sendMail(gw, "quarantine@client.test", List.of("carol@dest.test"),
                    AdminTestSupport.simpleMessage("quarantine@client.test", "carol@dest.test", heldSubject, "held body"));
            assertTrue(gw.quarantine().find(heldId).isPresent(), "held by the gate filter");

            Path screenshot = Path.of("target", "console.png").toAbsolutePath();
            Files.deleteIfExists(screenshot);
            ProcessBuilder pb = new ProcessBuilder(node, "console-test.mjs").directory(SCRIPT_DIR.toFile())
                    .redirectErrorStream(true);
            var env = pb.environment();
            env.put("CONSOLE_URL", "http://127.0.0.1:" + AdminTestSupport.admin(gw).port() + "/console/");
            env.put("CONSOLE_TOKEN", TOKEN);
            env.put("CONSOLE_SUBJECT", subject);
            env.put("CONSOLE_TEXT", "the figures are attached");
            env.put("CONSOLE_HTML", "Figures in bold");
            env.put("CONSOLE_ATTACHMENT", "figures-2025.csv");
            env.put("CONSOLE_FILTER", "gatekeeper");
            env.put("CONSOLE_SCREENSHOT", screenshot.toString());
            env.put("CONSOLE_HELD_SUBJECT", heldSubject);
            env.put("CHROMIUM", CHROMIUM.toString());
            Process process = pb.start();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    process.getInputStream().transferTo(output);
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            reader.start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the browser test did not finish within 180 s:\n" + output.toString(StandardCharsets.UTF_8));
            }
            reader.join(5000);
            String out = output.toString(StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), out);
            assertTrue(out.contains("console-test: ok"), out);

            // the click on Delete really deleted it, through the API
            assertTrue(gw.capture().find(id).isEmpty(), "deleted from the capture store by the console");
            assertEquals(0, pixelHits.get(), "the HTML part's remote image was fetched");
            // the click on Release delivered it through its route (capture) and took it out of the quarantine
            assertTrue(gw.quarantine().find(heldId).isEmpty(), "released from the quarantine by the console");
            assertTrue(gw.capture().find(heldId).isPresent(), "delivered to the capture route");
            byte[] png = Files.readAllBytes(screenshot);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), "a PNG screenshot");
        } finally {
            pixel.stop(0);
        }
    }

    /** A multipart/mixed message: a multipart/alternative (text and HTML) and a CSV attachment. */
    private static String message(String subject, int pixelPort) {
        return "From: Alice Example <alice@client.test>\r\n"
                + "To: Bob <bob@dest.test>\r\n"
                + "Subject: " + subject + "\r\n"
                + "Date: Mon, 1 Jan 2024 09:30:00 +0000\r\n"
                + "Message-ID: <" + System.nanoTime() + "@client.test>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
                + "--outer\r\n"
                + "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
                + "--alt\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "Hello Bob,\r\n\r\nthe figures are attached. Caf=C3=A9 at ten?\r\n\r\nAlice\r\n"
                + "--alt\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n"
                + "<html><body><p>Hello Bob,</p><p><b>Figures in bold</b>, table below.</p>"
                + "<img src=\"http://127.0.0.1:" + pixelPort + "/pixel.png\" alt=\"tracking pixel\">"
                + "<script>document.body.insertAdjacentHTML('beforeend', '<div id=\"script-ran\">ran</div>')</script>"
                + "</body></html>\r\n"
                + "--alt--\r\n"
                + "--outer\r\n"
                + "Content-Type: text/csv; name=\"figures-2025.csv\"\r\n"
                + "Content-Disposition: attachment; filename=\"figures-2025.csv\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + "cXVhcnRlcixyZXZlbnVlClExLDEyMApRMiwxMzQK\r\n"
                + "--outer--\r\n";
    }

    /**
     * {@code npm ci} in the script's directory, from the committed lock file, so that the README's
     * test command works without a separate install step (npm comes with node; the registry is
     * reachable wherever Maven Central is).
     */
    private static void installPlaywright(String node) throws Exception {
        Path npm = Path.of(node).resolveSibling("npm");
        if (!Files.isExecutable(npm)) {
            fail("the browser test needs playwright-core and there is no npm beside " + node
                    + " to install it: apt-get install npm, or run 'npm ci' in " + SCRIPT_DIR);
        }
        Process p = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
                .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("'npm ci' in " + SCRIPT_DIR + " failed:\n" + new String(output, StandardCharsets.UTF_8));
        }
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) {
            fail("'npm ci' in " + SCRIPT_DIR + " did not install playwright-core");
        }
    }

    private static String findNode() {
        for (String dirName : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dirName, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        fail("the browser test needs node (20 or newer) on the PATH: apt-get install nodejs npm (.ci/run does)");
        return null;
    }
}
