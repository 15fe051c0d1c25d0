package dev.moat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code moat} command line: {@link Main#run} with captured output, exit codes and no hang. */
class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        // A run that does not return would be a hang of the real process: fail instead of waiting.
        return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Main.run(args, out, err));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private Path config(String body) throws Exception {
        String text = "server:\n  hostname: mx.test.example\n  data-directory: \"" + dir.resolve("data") + "\"\n" + body;
        return Files.writeString(dir.resolve("moat.yaml"), text, StandardCharsets.UTF_8);
    }

    private static List<Thread> moatThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("moat-"))
                .collect(Collectors.toList());
    }

    @Test
    void versionPrintsTheVersion() {
        assertEquals(0, run("--version"));
        assertTrue(out().startsWith("moat "), out());
        assertTrue(out().trim().length() > "moat ".length(), out());
        assertEquals("", err());
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(0, run("--help"));
        assertTrue(out().startsWith("usage: moat"), out());
    }

    @Test
    void checkConfigOnAGoodFile() throws Exception {
        Path file = config("listeners:\n  - name: test\n    address: 127.0.0.1:0\nlimits:\n  max-recipients: 3\n");
        assertEquals(0, run("check-config", file.toString()), err());
        assertTrue(out().contains("configuration OK"), out());
        assertEquals("", err());
    }

    @Test
    void checkConfigOnAFileWithAMisspelledKey() throws Exception {
        Path file = config("limits: {max-recipents: 3}\n");
        assertEquals(1, run("check-config", file.toString()));
        assertTrue(err().contains("limits.max-recipents"), err());
        assertTrue(err().contains("unknown key"), err());
        assertEquals("", out());
    }

    @Test
    void checkConfigBuildsTheFilterChainToo() throws Exception {
        Path file = config("filters:\n  - {type: no-such-filter}\n");
        assertEquals(1, run("check-config", file.toString()));
        assertTrue(err().contains("filters[0].type: unknown filter type 'no-such-filter'"), err());
        assertEquals("", out());
    }

    @Test
    void checkConfigOnAMissingFile() {
        assertEquals(1, run("check-config", dir.resolve("nope.yaml").toString()));
        assertTrue(err().contains("does not exist"), err());
    }

    @Test
    void unknownArgumentsAreAUsageError() {
        for (String[] args : List.of(new String[] {"--frobnicate"}, new String[] {"check-config"},
                new String[] {"--config"}, new String[] {"run", "now", "please"})) {
            outBytes.reset();
            errBytes.reset();
            assertEquals(2, run(args), String.join(" ", args));
            assertTrue(err().startsWith("usage: moat"), err());
            assertTrue(err().contains("check-config FILE"), err());
            assertEquals("", out());
        }
    }

    @Test
    void configWithErrorsDoesNotStart() throws Exception {
        Path file = config("limits:\n  idle-timeout: 30\n");
        assertEquals(1, run("--config", file.toString()));
        assertTrue(err().contains("limits.idle-timeout"), err());
    }

    @Test
    void portInUseFailsWithExitCode1AndReturnsWithoutLeavingThreads() throws Exception {
        Set<Thread> before = Set.copyOf(moatThreads());
        try (ServerSocket occupied = new ServerSocket()) {
            occupied.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            Path file = config("listeners:\n  - name: test\n    address: 127.0.0.1:" + occupied.getLocalPort() + "\n");
            assertEquals(1, run("--config", file.toString()), err());
            assertTrue(err().contains("moat: cannot listen"), err());
        }
        List<Thread> nonDaemon = moatThreads().stream().filter(t -> !before.contains(t) && !t.isDaemon()).toList();
        assertEquals(List.of(), nonDaemon, "non-daemon moat threads would keep the JVM alive");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<Thread> left;
        while (!(left = moatThreads().stream().filter(t -> !before.contains(t)).toList()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("moat threads still alive after a failed start: "
                        + left.stream().map(Thread::getName).collect(Collectors.joining(", ")));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void unusableTlsKeyFailsWithExitCode1NamingTheKey() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key\n");
        Path file = config("listeners:\n  - name: test\n    address: 127.0.0.1:0\n    tls:\n      mode: starttls\n"
                + "      certificate: \"" + cert + "\"\n      key: \"" + key + "\"\n");
        assertEquals(1, run("--config", file.toString()), err());
        assertTrue(err().contains("configuration error"), err());
        assertTrue(err().contains("listeners[0].tls."), err());
    }
}
