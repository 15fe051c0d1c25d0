package dev.moat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.store.StoredMessage;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {

    @TempDir
    Path dir;

    @Test
    void acceptsOneMessageIntoTheCaptureStore() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 mx.test.example ESMTP"));
            assertTrue(c.command("EHLO client.example").startsWith("250 SIZE"));
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            String reply = c.command("Subject: t\r\n\r\nbody\r\n.");
            assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
            assertEquals("221 2.0.0 mx.test.example Service closing transmission channel", c.command("QUIT"));

            List<StoredMessage> stored = gw.capture().list();
            assertEquals(1, stored.size());
            String eml = Files.readString(stored.get(0).emlFile(), StandardCharsets.ISO_8859_1);
            assertTrue(eml.startsWith("Received: from client.example ([127.0.0.1])\r\n\tby mx.test.example (Moat) with ESMTP id "), eml);
            assertTrue(eml.endsWith("\r\nSubject: t\r\n\r\nbody\r\n"), eml);
            assertEquals(0, gw.spoolFiles());
        }
    }
}
