package dev.moat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.moat.core.testing.RawSmtp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code moat --config FILE} process, told to reload by a real SIGHUP ({@code kill -HUP}):
 * a good file changes the routes for the next connection, a bad one is refused with its key in the
 * log and changes nothing, and SIGTERM still stops it cleanly afterwards.
 */
class SighupReloadTest {

    @TempDir
    Path dir;

    private Process process;
    private final StringBuffer output = new StringBuffer();

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path writeConfig(int port, String rest) throws Exception {
        String text = "server:\n  hostname: mx.test.example\n  data-directory: \"" + dir.resolve("data") + "\"\n"
                + "listeners:\n  - {name: in, address: 127.0.0.1:" + port + "}\n" + rest;
        return Files.writeString(dir.resolve("moat.yaml"), text, StandardCharsets.UTF_8);
    }

    private void awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (output.indexOf(text) >= 0) {
                return;
            }
            if (!process.isAlive()) {
                fail("moat exited (" + process.exitValue() + ") before printing '" + text + "':\n" + output);
            }
            Thread.sleep(20);
        }
        fail("moat did not print '" + text + "' within 30 s:\n" + output);
    }

    private void hangup() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -HUP");
    }

    private String rcpt(int port, String to) throws Exception {
        try (RawSmtp c = RawSmtp.connect(port)) {
            assertTrue(c.lastLine().startsWith("220"));
            assertTrue(c.command("EHLO client.test").startsWith("250"));
            assertTrue(c.command("MAIL FROM:<a@client.test>").startsWith("250"));
            return c.command("RCPT TO:<" + to + ">");
        }
    }

    @Test
    void sighupReloadsTheFileAndABadFileChangesNothing() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path file = writeConfig(port, "routes:\n  - {domains: ['*'], mode: capture}\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--config", file.toString())).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.append(line).append('\n');
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }, "moat-test-output");
        reader.setDaemon(true);
        reader.start();
        awaitOutput("started; data in");
        assertTrue(rcpt(port, "x@other.test").startsWith("250"));

        writeConfig(port, "routes:\n  - {domains: [dest.test], mode: capture}\n");
        hangup();
        awaitOutput("Configuration reloaded: generation 2, 0 filter(s), 1 route(s)");
        String refused = rcpt(port, "x@other.test");
        assertTrue(refused.startsWith("550 5.7.1"), refused);
        assertTrue(rcpt(port, "x@dest.test").startsWith("250"));

        writeConfig(port, "routes:\n  - {domains: ['*'], mode: capture}\nfilters:\n  - {name: f, type: no-such-type}\n");
        hangup();
        awaitOutput("Configuration reload refused, the running configuration is unchanged: filters[0].type: unknown filter type 'no-such-type'");
        refused = rcpt(port, "x@other.test");
        assertTrue(refused.startsWith("550 5.7.1"), "still generation 2: " + refused);

        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "moat stops after SIGTERM");
        assertEquals(0, process.exitValue(), output.toString());
    }
}
