package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reply hygiene: every reply line other than the greeting and the EHLO reply carries an RFC 3463
 * enhanced status code whose class matches the reply code (RFC 2034 §3), and recipient domains
 * no route covers are refused (no open relay).
 */
class CommandRepliesTest {

    private static final Pattern ENHANCED = Pattern.compile("^(\\d)\\d{2}[ -]([245])\\.\\d{1,3}\\.\\d{1,3}( .*)?$");

    @TempDir
    Path dir;

    @Test
    void everyReplyLineCarriesAnEnhancedStatusCode() throws Exception {
        Map<String, String> replies = new LinkedHashMap<>();
        try (TestGateway gw = TestGateway.builder(dir)
                .yaml("limits:\n  max-invalid-commands: 100\nroutes:\n  - domains: [y.test]\n    mode: capture\n").start();
                RawSmtp c = RawSmtp.connect(gw.port())) {
            assertTrue(c.lastLine().startsWith("220 "));
            replies.put("MAIL before HELO", ask(c, "MAIL FROM:<a@x.test>"));
            replies.put("NOOP before HELO", ask(c, "NOOP"));
            String ehlo = ask(c, "EHLO client.example");
            assertTrue(ehlo.startsWith("250-mx.test.example"), ehlo);
            assertTrue(ehlo.contains("ENHANCEDSTATUSCODES\r\n"), ehlo);
            replies.put("NOOP", ask(c, "NOOP"));
            replies.put("NOOP with argument", ask(c, "NOOP hello"));
            replies.put("RSET", ask(c, "RSET"));
            replies.put("RSET with argument", ask(c, "RSET now"));
            replies.put("VRFY", ask(c, "VRFY postmaster"));
            replies.put("HELP", ask(c, "HELP"));
            replies.put("EXPN", ask(c, "EXPN list"));
            replies.put("unknown", ask(c, "FROB nicate"));
            replies.put("empty line", ask(c, ""));
            replies.put("bare LF", askRaw(c, "NOOP\n"));
            replies.put("NUL in command", askRaw(c, "NO\0OP\r\n"));
            replies.put("overlong", ask(c, "NOOP " + "x".repeat(600)));
            replies.put("MAIL bad syntax", ask(c, "MAIL FROM:a@x.test"));
            replies.put("MAIL bad SIZE", ask(c, "MAIL FROM:<a@x.test> SIZE=abc"));
            replies.put("MAIL SIZE too big", ask(c, "MAIL FROM:<a@x.test> SIZE=99999999999999"));
            replies.put("MAIL bad BODY", ask(c, "MAIL FROM:<a@x.test> BODY=BINARYMIME"));
            replies.put("RCPT before MAIL", ask(c, "RCPT TO:<b@y.test>"));
            replies.put("DATA before MAIL", ask(c, "DATA"));
            replies.put("MAIL", ask(c, "MAIL FROM:<a@x.test>"));
            replies.put("DATA before RCPT", ask(c, "DATA"));
            replies.put("RCPT bad syntax", ask(c, "RCPT TO:b@y.test"));
            replies.put("RCPT unknown parameter", ask(c, "RCPT TO:<x@y> FOO=bar"));
            replies.put("RCPT relay denied", ask(c, "RCPT TO:<postmaster>"));
            replies.put("RCPT", ask(c, "RCPT TO:<b@y.test>"));
            replies.put("DATA with argument", ask(c, "DATA now"));
            replies.put("second MAIL", ask(c, "MAIL FROM:<a@x.test>"));
            replies.put("RSET ends the transaction", ask(c, "RSET"));
            replies.put("STARTTLS not offered", ask(c, "STARTTLS"));
            replies.put("NOOP after STARTTLS refusal", ask(c, "NOOP"));
            replies.put("AUTH not offered", ask(c, "AUTH PLAIN AGFAYg=="));
            replies.put("BDAT", ask(c, "BDAT 10 LAST"));
            replies.put("HELO no argument", ask(c, "HELO"));
            replies.put("QUIT", ask(c, "QUIT"));
        }

        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, String> e : replies.entrySet()) {
            for (String line : e.getValue().split("\r\n")) {
                var m = ENHANCED.matcher(line);
                if (!m.matches() || !m.group(1).equals(m.group(2))) {
                    bad.add(e.getKey() + " -> " + line);
                }
            }
        }
        assertEquals(List.of(), bad, "reply lines without a (matching) enhanced status code; all replies: " + replies);

        // Spot checks of what the codes are.
        assertTrue(replies.get("MAIL before HELO").startsWith("503 5."), replies.toString());
        assertEquals("250 2.0.0 OK\r\n", replies.get("NOOP"));
        assertEquals("250 2.0.0 OK\r\n", replies.get("RSET"));
        assertTrue(replies.get("VRFY").startsWith("502 5."), replies.get("VRFY"));
        assertTrue(replies.get("HELP").startsWith("502 5."), replies.get("HELP"));
        assertTrue(replies.get("EXPN").startsWith("502 5."), replies.get("EXPN"));
        assertEquals("500 5.5.1 Command FROB unrecognized.\r\n", replies.get("unknown"));
        assertTrue(replies.get("MAIL bad syntax").startsWith("501 5."), replies.get("MAIL bad syntax"));
        assertEquals("552 5.3.4 Message size exceeds fixed maximum message size\r\n", replies.get("MAIL SIZE too big"));
        assertTrue(replies.get("RCPT before MAIL").startsWith("503 5."), replies.get("RCPT before MAIL"));
        assertTrue(replies.get("DATA before RCPT").startsWith("503 5."), replies.get("DATA before RCPT"));
        assertTrue(replies.get("second MAIL").startsWith("503 5."), replies.get("second MAIL"));
        assertEquals("550 5.7.1 Relay access denied\r\n", replies.get("RCPT relay denied"));
        assertTrue(replies.get("RCPT unknown parameter").startsWith("504 5.5.4 "), replies.get("RCPT unknown parameter"));
        assertEquals("250 2.1.5 Recipient <b@y.test> OK\r\n", replies.get("RCPT"));
        assertEquals("250 2.0.0 OK\r\n", replies.get("NOOP after STARTTLS refusal"));
        assertEquals("221 2.0.0 mx.test.example Service closing transmission channel\r\n", replies.get("QUIT"));
    }

    /**
     * A refused STARTTLS ends the discarding of client bytes before the refusal is written: a client
     * that sends its next command the moment it reads the refusal must get an answer. (The flag used
     * to be cleared after the reply was flushed, from the session thread; under load the next command
     * could land in that gap and be dropped as an injection attempt, and the client waited forever.)
     */
    @Test
    void theCommandRightAfterARefusedStartTlsIsAnswered() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start()) {
            for (int i = 0; i < 25; i++) {
                try (RawSmtp c = RawSmtp.connect(gw.port())) {
                    c.lastLine();
                    c.send("EHLO client.example\r\n").reply();
                    String refusal = c.command("STARTTLS");
                    assertTrue(refusal.startsWith("5") || refusal.startsWith("4"), refusal);
                    assertEquals("250 2.0.0 OK", c.command("NOOP"), "round " + i);
                }
            }
        }
    }

    /**
     * RFC 5321 §4.1.4 / §3.3: a MAIL inside an open transaction is refused with 503 and the server
     * stays in the same state: the transaction already begun (sender, recipients) goes on.
     */
    @Test
    void refusedSecondMailLeavesTheOpenTransactionIntact() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.1.5 Recipient <b@y.test> OK", c.command("RCPT TO:<b@y.test>"));
            assertEquals("503 5.5.1 Sender already specified", c.command("MAIL FROM:<other@x.test>"));
            assertEquals("250 2.1.5 Recipient <c@y.test> OK", c.command("RCPT TO:<c@y.test>"),
                    "the transaction begun by the first MAIL must still be open");
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            String id = LimitsSupport.queuedId(c.command("Subject: s\r\n\r\nbody\r\n."));
            var envelope = gw.capture().readEnvelope(id);
            assertEquals("a@x.test", envelope.sender());
            assertEquals(List.of("b@y.test", "c@y.test"), envelope.recipients());
        }
    }

    @Test
    void recipientDomainsNoRouteCoversAreRefused() throws Exception {
        String yaml = "routes:\n  - domains: [example.com]\n    mode: capture\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.send("EHLO client.example\r\n").reply();
            assertEquals("250 2.1.0 Sender <a@x.test> OK", c.command("MAIL FROM:<a@x.test>"));
            assertEquals("250 2.1.5 Recipient <a@example.com> OK", c.command("RCPT TO:<a@example.com>"));
            assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<a@other.test>"));
            assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<a@sub.example.com>"));
            assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<a@example.com.evil.test>"));
            assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<a@notexample.com>"));
            assertEquals("550 5.7.1 Relay access denied", c.command("RCPT TO:<postmaster>"));
            String upper = c.command("RCPT TO:<b@EXAMPLE.COM>");
            assertTrue(upper.equalsIgnoreCase("250 2.1.5 Recipient <b@example.com> OK"), upper);
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.command("DATA"));
            String id = LimitsSupport.queuedId(c.command("Subject: r\r\n\r\nbody\r\n."));
            List<String> recipients = gw.capture().readEnvelope(id).recipients();
            assertEquals(2, recipients.size(), recipients.toString());
            assertTrue(recipients.get(0).equals("a@example.com"), recipients.toString());
        }
    }

    private static String ask(RawSmtp c, String line) throws Exception {
        return c.send(line + "\r\n").reply();
    }

    private static String askRaw(RawSmtp c, String bytes) throws Exception {
        return c.send(bytes).reply();
    }
}
