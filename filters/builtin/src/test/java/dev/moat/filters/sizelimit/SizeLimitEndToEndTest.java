package dev.moat.filters.sizelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** size-limit through a real gateway with two listeners: every reply code on the wire, at the stage it belongs to. */
class SizeLimitEndToEndTest {

    private static final String TOO_BIG = "552 5.3.4 Message size exceeds fixed maximum message size";

    @TempDir
    static Path dir;

    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.builder(dir).yaml(String.join("\n",
                "server:",
                "  hostname: mx.test.example",
                "  data-directory: \"" + dir + "\"",
                "listeners:",
                "  - name: mx",
                "    address: 127.0.0.1:0",
                "  - name: submission",
                "    address: 127.0.0.1:0",
                "filters:",
                "  - name: sl",
                "    type: size-limit",
                "    max: 8KB",
                "    per-listener: [\"mx=4KB\"]",
                "    per-sender-domain: [\"big.test=2KB\"]",
                "    per-recipient-domain: [\"tiny.test=1KB\"]",
                "    max-header-size: 1KB",
                "    max-header-fields: 10",
                "")).start();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static RawSmtp open(String listener) throws IOException {
        RawSmtp c = RawSmtp.connect(gw.address(listener).getPort());
        assertTrue(c.lastLine().startsWith("220 "));
        c.send("EHLO client.example\r\n");
        String ehlo = c.reply();
        assertTrue(ehlo.contains("250-SIZE 26214400") || ehlo.contains("250 SIZE 26214400"),
                "the core advertises its own limit: " + ehlo);
        return c;
    }

    /** MAIL, RCPT and DATA with a message of {@code size} octets; returns the reply to the final dot. */
    private static String send(RawSmtp c, String from, String to, String message) throws IOException {
        assertEquals("250 2.1.0 Sender <" + from + "> OK", c.command("MAIL FROM:<" + from + ">"));
        assertEquals("250 2.1.5 Recipient <" + to + "> OK", c.command("RCPT TO:<" + to + ">"));
        assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
        c.send(message);
        return c.command(".");
    }

    private static String message(int size) {
        return new String(SizeLimitTest.message(size), StandardCharsets.US_ASCII);
    }

    @Test
    void declaredSizeOverTheListenerLimitIsRefusedAtMail() throws Exception {
        try (RawSmtp c = open("mx")) {
            assertEquals(TOO_BIG, c.command("MAIL FROM:<a@x.test> SIZE=5000"));
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test> SIZE=4096"));
        }
    }

    @Test
    void declaredSizeOverTheGlobalOrSenderLimitIsRefusedAtMail() throws Exception {
        try (RawSmtp c = open("submission")) {
            assertEquals(TOO_BIG, c.command("MAIL FROM:<a@x.test> SIZE=9000"));
            assertEquals(TOO_BIG, c.command("MAIL FROM:<a@big.test> SIZE=3000"));
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test> SIZE=5000"));
        }
    }

    @Test
    void declaredSizeOverARecipientDomainLimitIsRefusedAtRcpt() throws Exception {
        try (RawSmtp c = open("submission")) {
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test> SIZE=2000"));
            assertEquals(TOO_BIG, c.command("RCPT TO:<b@tiny.test>"));
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
        }
    }

    @Test
    void realSizeIsCheckedAtTheEndOfData() throws Exception {
        try (RawSmtp c = open("submission")) {
            assertEquals(TOO_BIG, send(c, "a@x.test", "b@y.test", message(9000)));
            assertEquals(TOO_BIG, send(c, "a@x.test", "b@tiny.test", message(1500)));
            String ok = send(c, "a@x.test", "b@y.test", message(3000));
            assertTrue(ok.startsWith("250 2.0.0 Ok: queued as "), ok);
        }
        try (RawSmtp c = open("mx")) {
            assertEquals(TOO_BIG, send(c, "a@x.test", "b@y.test", message(5000)));
        }
    }

    @Test
    void headerSizeAndFieldCount() throws Exception {
        try (RawSmtp c = open("submission")) {
            String bigHeader = "Subject: big\r\nX-Long: start\r\n" + (" " + "x".repeat(70) + "\r\n").repeat(15) + "\r\nbody\r\n";
            assertEquals("552 5.3.4 Message header size exceeds fixed maximum size", send(c, "a@x.test", "b@y.test", bigHeader));
            String manyFields = "X-Field: 1\r\n".repeat(11) + "\r\nbody\r\n";
            assertEquals("554 5.6.0 Too many header fields", send(c, "a@x.test", "b@y.test", manyFields));
            String tenFields = "X-Field: 1\r\n".repeat(10) + "\r\nbody\r\n";
            assertTrue(send(c, "a@x.test", "b@y.test", tenFields).startsWith("250 2.0.0 Ok: queued as "));
        }
    }
}
