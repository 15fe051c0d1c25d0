package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code idle-timeout}, {@code command-timeout} and {@code data-timeout}: 421 4.4.2 and close. */
class LimitsTimeoutsTest {

    @TempDir
    Path dir;

    @Test
    void idleClientGets421AfterIdleTimeoutAndIsClosed() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  idle-timeout: 1s\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            long start = System.nanoTime();
            assertEquals("220 mx.test.example ESMTP Moat", c.lastLine());
            c.timeout(5000);
            String reply = c.lastLine();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals("421 4.4.2 mx.test.example Error: timeout exceeded (idle for too long)", reply);
            assertTrue(elapsedMs >= 900, "closed too early: " + elapsedMs + " ms");
            assertTrue(elapsedMs <= 3000, "closed too late: " + elapsedMs + " ms");
            assertTrue(c.closedByServer(), "connection must be closed after the 421");
        }
    }

    @Test
    void completeCommandsKeepTheConnectionAliveUnderShortCommandTimeout() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir)
                .yaml("limits:\n  idle-timeout: 1s\n  command-timeout: 1s\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            // 2.4 s of NOOPs every 300 ms: longer than both timeouts in total, never idle, no slow line.
            for (int i = 0; i < 8; i++) {
                assertEquals("250 2.0.0 OK", c.command("NOOP"), "NOOP #" + i);
                Thread.sleep(300);
            }
        }
    }

    @Test
    void clientDrippingOneCommandByteAtATimeGets421AfterCommandTimeout() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir)
                .yaml("limits:\n  idle-timeout: 10s\n  command-timeout: 1s\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.timeout(5000);
            long start = System.nanoTime();
            // Never idle (a byte every 300 ms), never a complete line.
            Thread drip = LimitsSupport.drip(c.socket().getOutputStream(), "NOOP and on and on and on", 300);
            String reply = c.lastLine();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals("421 4.4.2 mx.test.example Error: timeout exceeded (command took too long)", reply);
            assertTrue(elapsedMs >= 900, "closed too early: " + elapsedMs + " ms");
            assertTrue(elapsedMs <= 3000, "closed too late: " + elapsedMs + " ms");
            assertTrue(c.closedByServer(), "connection must be closed after the 421");
            drip.interrupt();
        }
    }

    @Test
    void slowDataPhaseGets421AfterDataTimeoutAndNothingIsStoredOrLeftInTheSpool() throws Exception {
        // memory-buffer 0: the message goes to a spool file at once, so the clean-up is observable.
        try (TestGateway gw = TestGateway.builder(dir)
                .yaml("limits:\n  idle-timeout: 10s\n  data-timeout: 2s\n  memory-buffer: 0\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            long start = System.nanoTime();
            List<String> lines = new ArrayList<>();
            lines.add("Subject: slow");
            lines.add("");
            for (int i = 0; i < 30; i++) {
                lines.add("line " + i);
            }
            Thread drip = LimitsSupport.dripLines(c.socket().getOutputStream(), lines, 300);
            LimitsSupport.eventually(Duration.ofMillis(1500), "the message is spooled to a file", () -> gw.spoolFiles() == 1);

            c.timeout(5000);
            String reply = c.lastLine();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals("421 4.4.2 mx.test.example Error: timeout exceeded (DATA phase took too long)", reply);
            assertTrue(elapsedMs >= 1900, "closed too early: " + elapsedMs + " ms");
            assertTrue(elapsedMs <= 3500, "closed too late: " + elapsedMs + " ms");
            assertTrue(c.closedByServer(), "connection must be closed after the 421");
            drip.interrupt();

            LimitsSupport.eventually(Duration.ofSeconds(2), "the spool file is deleted", () -> gw.spoolFiles() == 0);
            Thread.sleep(200);
            assertEquals(0, gw.capture().list().size(), "nothing may be stored");
            assertEquals(0, gw.spoolFiles());
        }
    }

    @Test
    void clientGoingSilentInDataIsCutByTheIdleTimeout() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir)
                .yaml("limits:\n  idle-timeout: 1s\n  data-timeout: 1m\n  memory-buffer: 0\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            c.command("MAIL FROM:<a@x.test>");
            c.command("RCPT TO:<b@y.test>");
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            long start = System.nanoTime();
            c.send("Subject: silent\r\n\r\nfirst line\r\n");
            c.timeout(5000);
            assertEquals("421 4.4.2 mx.test.example Error: timeout exceeded (idle for too long)", c.lastLine());
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 900 && elapsedMs <= 3000, elapsedMs + " ms");
            assertTrue(c.closedByServer());
            LimitsSupport.eventually(Duration.ofSeconds(2), "the spool file is deleted", () -> gw.spoolFiles() == 0);
            assertEquals(0, gw.capture().list().size());
        }
    }

    /** data-timeout is per DATA phase: it starts at each 354 and stops at each final dot. */
    @Test
    void dataTimeoutIsPerMessageNotPerSession() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  data-timeout: 1s\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            for (int i = 0; i < 3; i++) {
                LimitsSupport.queuedId(LimitsSupport.sendTransaction(c, "b@y.test", "Subject: " + i + "\r\n\r\nbody"));
                Thread.sleep(600);
            }
            assertEquals("250 2.0.0 OK", c.command("NOOP"));
            assertEquals(3, gw.capture().list().size());
        }
    }

    @Test
    void clientDisappearingMidDataLeavesNothingInTheSpool() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).yaml("limits:\n  memory-buffer: 0\n").start()) {
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                c.lastLine();
                c.send("EHLO client.example\r\n").reply();
                c.command("MAIL FROM:<a@x.test>");
                c.command("RCPT TO:<b@y.test>");
                assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
                c.send("Subject: gone\r\n\r\nfirst line\r\n");
                LimitsSupport.eventually(Duration.ofSeconds(2), "the message is spooled", () -> gw.spoolFiles() == 1);
            }
            LimitsSupport.eventually(Duration.ofSeconds(2), "the spool file is deleted", () -> gw.spoolFiles() == 0);
            assertEquals(0, gw.capture().list().size());
            // The gateway is fine afterwards.
            try (RawSmtp c = RawSmtp.connect(gw.port())) {
                c.lastLine();
                LimitsSupport.queuedId(LimitsSupport.sendMessage(c, "b@y.test", "Subject: next\r\n\r\nbody"));
            }
        }
    }
}
