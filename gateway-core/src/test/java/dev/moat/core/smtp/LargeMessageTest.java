package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.BYE;
import static dev.moat.core.smtp.DataTestSupport.GO_AHEAD;
import static dev.moat.core.smtp.DataTestSupport.MAIL_OK;
import static dev.moat.core.smtp.DataTestSupport.RCPT_OK;
import static dev.moat.core.smtp.DataTestSupport.TOO_BIG_REPLY;
import static dev.moat.core.smtp.DataTestSupport.bytes;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.moat.core.testing.RawSmtp;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MB message through a gateway JVM with a 64 MB heap: refused with 552 under a 100MB limit, stored
 * whole under a 300MB limit, never an OutOfMemoryError. The gateway runs as its own process
 * ({@code dev.moat.core.Main --config}), is stopped with SIGTERM and must exit 0. Neither side ever holds
 * the message in memory: the test generates it line by line and compares by SHA-256.
 */
class LargeMessageTest {

    private static final long MESSAGE_SIZE = 200L * 1024 * 1024;
    private static final byte[] HEADER = bytes("Subject: large\r\n\r\n");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void refusedOverTheLimitWithoutRunningOutOfMemory() throws Exception {
        try (Child gw = Child.start(dir, "100MB")) {
            try (RawSmtp c = gw.connect()) {
                begin(c);
                send(c, MessageDigest.getInstance("SHA-256"));
                assertEquals(TOO_BIG_REPLY, c.lastLine());
                assertEquals(BYE, c.command("QUIT"));
            }
            try (Stream<Path> files = Files.list(gw.data.resolve("capture"))) {
                assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".eml")).toList());
            }
            try (Stream<Path> files = Files.list(gw.data.resolve("spool"))) {
                assertEquals(List.of(), files.toList());
            }
            gw.stopAndCheck("200 MB refused (limit 100MB)");
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void storedUnderTheLimitWithoutRunningOutOfMemory() throws Exception {
        try (Child gw = Child.start(dir, "300MB")) {
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            String id;
            try (RawSmtp c = gw.connect()) {
                begin(c);
                send(c, sent);
                id = queuedId(c.lastLine());
                assertEquals(BYE, c.command("QUIT"));
            }
            Path eml = gw.data.resolve("capture").resolve(id + ".eml");
            assertTrue(Files.isRegularFile(eml), "no " + eml);
            MessageDigest storedDigest = MessageDigest.getInstance("SHA-256");
            int received;
            try (InputStream in = Files.newInputStream(eml)) {
                byte[] head = in.readNBytes(1024);
                received = DataTestSupport.receivedLength(head, id, "b@y.test");
                storedDigest.update(head, received, head.length - received);
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    storedDigest.update(buf, 0, n);
                }
            }
            assertEquals(MESSAGE_SIZE + received, Files.size(eml), "size of the .eml");
            assertArrayEquals(sent.digest(), storedDigest.digest(), "stored bytes after Received differ from those sent");
            try (Stream<Path> files = Files.list(gw.data.resolve("spool"))) {
                assertEquals(List.of(), files.toList());
            }
            gw.stopAndCheck("200 MB stored (limit 300MB)");
        }
    }

    private static void begin(RawSmtp c) throws IOException {
        assertTrue(c.lastLine().startsWith("220 mx.test.example ESMTP"));
        assertTrue(c.command("EHLO client.example").startsWith("250 "));
        assertEquals(MAIL_OK, c.command("MAIL FROM:<a@x.test>"));
        assertEquals(RCPT_OK, c.command("RCPT TO:<b@y.test>"));
        assertEquals(GO_AHEAD, c.command("DATA"));
    }

    /**
     * Streams a message of exactly {@link #MESSAGE_SIZE} octets (numbered lines of 998 octets; none starts
     * with '.'), then the final dot, and prepares to wait for the reply.
     */
    private static void send(RawSmtp c, MessageDigest digest) throws IOException {
        OutputStream out = new BufferedOutputStream(c.socket().getOutputStream(), 1 << 18);
        out.write(HEADER);
        digest.update(HEADER);
        long written = HEADER.length;
        byte[] line = new byte[1000];
        for (int i = 0; i < line.length - 2; i++) {
            line[i] = (byte) ('a' + i % 26);
        }
        line[998] = '\r';
        line[999] = '\n';
        for (long n = 0; written < MESSAGE_SIZE; n++) {
            byte[] number = String.format("%010d", n).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(number, 0, line, 0, number.length);
            int length = (int) Math.min(line.length, MESSAGE_SIZE - written);
            if (length < line.length) { // the last, shorter line
                line[length - 2] = '\r';
                line[length - 1] = '\n';
            }
            out.write(line, 0, length);
            digest.update(line, 0, length);
            written += length;
        }
        assertEquals(MESSAGE_SIZE, written);
        out.write(bytes(".\r\n"));
        out.flush();
        c.timeout(60_000);
    }

    /** The gateway in its own JVM with -Xmx64m. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final Path data;
        final Path log;
        final int port;

        private Child(Process process, Path data, Path log, int port) {
            this.process = process;
            this.data = data;
            this.log = log;
            this.port = port;
        }

        static Child start(Path dir, String limit) throws Exception {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            Path data = dir.resolve("data");
            Path config = dir.resolve("moat.yaml");
            Files.writeString(config, """
                    server:
                      hostname: mx.test.example
                      data-directory: "%s"
                      shutdown-grace: 5s
                    listeners:
                      - name: large
                        address: 127.0.0.1:%d
                    limits:
                      max-message-size: %s
                      data-timeout: 2m
                    """.formatted(data, port, limit));
            Path log = dir.resolve("gateway.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    "dev.moat.core.Main", "--config", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Child child = new Child(process, data, log, port);
            child.awaitListening();
            return child;
        }

        private void awaitListening() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail("gateway exited with " + process.exitValue() + ":\n" + Files.readString(log));
                }
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    return;
                } catch (ConnectException notYet) {
                    Thread.sleep(50);
                }
            }
            fail("gateway did not listen on " + port + " within 30 s:\n" + Files.readString(log));
        }

        RawSmtp connect() throws IOException {
            return RawSmtp.connect(port);
        }

        /** Prints VmHWM, sends SIGTERM, and checks the exit code and the output. */
        void stopAndCheck(String what) throws Exception {
            Path procStatus = Path.of("/proc", Long.toString(process.pid()), "status");
            String hwm = Files.isReadable(procStatus) // Linux only; elsewhere there is nothing to quote
                    ? Files.readString(procStatus).lines().filter(l -> l.startsWith("VmHWM:")).findFirst().orElse("VmHWM: ?").trim()
                    : "VmHWM: unavailable (no /proc)";
            System.out.println("LargeMessageTest: gateway JVM -Xmx64m, " + what + ": " + hwm.replaceAll("\\s+", " "));
            process.destroy();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "gateway did not stop within 20 s of SIGTERM");
            String output = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertFalse(output.contains("OutOfMemoryError"), output);
            assertEquals(0, process.exitValue(), "exit code after SIGTERM; output:\n" + output);
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
