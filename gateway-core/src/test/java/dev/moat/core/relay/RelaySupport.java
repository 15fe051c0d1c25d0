package dev.moat.core.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared pieces of the inline relay tests: route YAML, client conversations, reply shapes. */
final class RelaySupport {

    static final String HOST = "mx.test.example";
    static final String GO_AHEAD = "354 End data with <CR><LF>.<CR><LF>";
    static final String BYE = "221 2.0.0 mx.test.example Service closing transmission channel";
    static final String UNAVAILABLE_TEXT = "Next hop not available, try again later";
    /** Moat's 250 after the next hop's 250: its own id, and the next hop's text quoted. */
    static final Pattern DELIVERED = Pattern.compile("250 2\\.0\\.0 Ok: queued as ([A-Za-z0-9._-]{1,64}) via next hop: (.*)");
    /** One Received field: a first line and folded continuation lines, then CRLF. */
    static final Pattern RECEIVED_FIELD = Pattern.compile("Received: [^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n");

    private RelaySupport() {
    }

    static String mailOk(String sender) {
        return "250 2.1.0 Sender <" + sender + "> OK";
    }

    static String rcptOk(String recipient) {
        return "250 2.1.5 Recipient <" + recipient + "> OK";
    }

    /** An inline route's YAML, as one entry of {@code routes:}. */
    static final class Route {
        private final String domains;
        private final List<String> hops = new ArrayList<>();
        private String tls = "{mode: none}";
        private String auth;
        private String connectTimeout = "2s";
        private String commandTimeout = "5s";
        private String dataTimeout = "10s";

        private Route(String domains) {
            this.domains = domains;
        }

        /** {@code domains} as YAML flow list content, e.g. {@code a.test} or {@code "*"}. */
        static Route inline(String domains, String... hopUrls) {
            Route r = new Route(domains);
            r.hops.addAll(List.of(hopUrls));
            return r;
        }

        Route tls(String flowMap) {
            this.tls = flowMap;
            return this;
        }

        Route auth(String flowMap) {
            this.auth = flowMap;
            return this;
        }

        Route connectTimeout(String d) {
            this.connectTimeout = d;
            return this;
        }

        Route commandTimeout(String d) {
            this.commandTimeout = d;
            return this;
        }

        Route dataTimeout(String d) {
            this.dataTimeout = d;
            return this;
        }

        String yaml() {
            StringBuilder b = new StringBuilder();
            b.append("  - domains: [").append(domains).append("]\n");
            b.append("    mode: inline\n");
            b.append("    next-hops: [");
            for (int i = 0; i < hops.size(); i++) {
                b.append(i == 0 ? "" : ", ").append('"').append(hops.get(i)).append('"');
            }
            b.append("]\n");
            b.append("    tls: ").append(tls).append('\n');
            if (auth != null) {
                b.append("    auth: ").append(auth).append('\n');
            }
            b.append("    connect-timeout: ").append(connectTimeout).append('\n');
            b.append("    command-timeout: ").append(commandTimeout).append('\n');
            b.append("    data-timeout: ").append(dataTimeout).append('\n');
            return b.toString();
        }
    }

    static String routes(Route... routes) {
        StringBuilder b = new StringBuilder("routes:\n");
        for (Route r : routes) {
            b.append(r.yaml());
        }
        return b.toString();
    }

    /** Connects, reads the greeting and says EHLO client.example. */
    static RawSmtp connect(TestGateway gw) throws IOException {
        RawSmtp c = RawSmtp.connect(gw.port());
        String greeting = c.lastLine();
        assertTrue(greeting.startsWith("220 " + HOST), greeting);
        c.send("EHLO client.example\r\n");
        String ehlo = c.reply();
        assertTrue(ehlo.startsWith("250"), ehlo);
        return c;
    }

    /** The message as the client sends it after DATA's 354: dot-stuffed, ended by ".CRLF". */
    static String wire(String message) {
        return stuff(message) + ".\r\n";
    }

    /** RFC 5321 §4.5.2 transparency: a "." before each line that starts with ".". */
    static String stuff(String message) {
        StringBuilder b = new StringBuilder(message.length() + 16);
        boolean lineStart = true;
        for (int i = 0; i < message.length(); i++) {
            char ch = message.charAt(i);
            if (lineStart && ch == '.') {
                b.append('.');
            }
            b.append(ch);
            lineStart = ch == '\n';
        }
        return b.toString();
    }

    /** Moat's transaction id in its 250 for a relayed message; fails the test on any other reply. */
    static String deliveredId(String reply) {
        Matcher m = DELIVERED.matcher(reply);
        assertTrue(m.matches(), "expected 250 delivered via next hop, got: " + reply);
        return m.group(1);
    }

    /** One complete transaction for one recipient; returns the reply to the final dot. */
    static String send(RawSmtp c, String sender, String recipient, String message) throws IOException {
        assertEquals(mailOk(sender), c.command("MAIL FROM:<" + sender + ">"));
        assertEquals(rcptOk(recipient), c.command("RCPT TO:<" + recipient + ">"));
        assertEquals(GO_AHEAD, c.command("DATA"));
        c.send(wire(message));
        return c.lastLine();
    }

    /**
     * Splits what the next hop received into Moat's Received field and the rest, checking that the
     * rest is exactly {@code original} and that the prefix is one Received field naming {@code id}.
     */
    static String assertReceivedPlus(String atHop, String original, String id) {
        assertTrue(atHop.endsWith(original), "the next hop must get the client's message unchanged after Moat's"
                + " Received field; got:\n" + atHop);
        String received = atHop.substring(0, atHop.length() - original.length());
        assertTrue(RECEIVED_FIELD.matcher(received).matches(), "exactly one Received field before the message: " + received);
        assertTrue(received.startsWith("Received: from client.example ([127.0.0.1])\r\n\tby " + HOST + " (Moat) with ESMTP id "
                + id + "\r\n") || received.startsWith("Received: from client.example ([127.0.0.1])\r\n\tby " + HOST
                + " (Moat) with ESMTP id " + id + ";"), received);
        return received;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
