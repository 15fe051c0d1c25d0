package dev.moat.core.smtp;

import static dev.moat.core.smtp.DataTestSupport.afterReceived;
import static dev.moat.core.smtp.DataTestSupport.assertInStep;
import static dev.moat.core.smtp.DataTestSupport.bytes;
import static dev.moat.core.smtp.DataTestSupport.concat;
import static dev.moat.core.smtp.DataTestSupport.connect;
import static dev.moat.core.smtp.DataTestSupport.queuedId;
import static dev.moat.core.smtp.DataTestSupport.sendTransaction;
import static dev.moat.core.smtp.DataTestSupport.stored;
import static dev.moat.core.smtp.DataTestSupport.text;
import static dev.moat.core.smtp.DataTestSupport.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transparency (RFC 5321 §4.5.2) and byte-exactness: what is stored is exactly what the client meant,
 * un-stuffed, with Moat's one Received field in front.
 */
class DataTransparencyTest {

    @TempDir
    Path dir;

    /** Every octet 0x80-0xFF, then NUL-free controls other than CR and LF, on one line. */
    private static byte[] eightBitLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = 0x80; b <= 0xFF; b++) {
            line.write(b);
        }
        for (int b = 1; b < 0x20; b++) {
            if (b != '\r' && b != '\n') {
                line.write(b);
            }
        }
        line.write(0x7F);
        line.writeBytes(bytes("\r\n"));
        return line.toByteArray();
    }

    @Test
    void storesDotStuffedEightBitAndLongLinesExactly() throws Exception {
        byte[] message = concat(
                bytes("From: <a@x.test>\r\nTo: <b@y.test>\r\nSubject: transparency\r\n"
                        + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"),
                bytes(".leading dot\r\n"),
                bytes("..two leading dots\r\n"),
                bytes(".\r\n"), // a content line of one dot: sent as ".."
                bytes("...\r\n"),
                bytes(". \r\n"),
                bytes(" .not at line start\r\n"),
                eightBitLine(),
                bytes("x".repeat(998) + "\r\n"), // the longest legal line
                bytes("\r\n"),
                bytes("\t tab and space \t\r\n"),
                bytes("last line .\r\n"));
        byte[] onTheWire = wire(message);
        // the stuffing really happened, e.g. the "." content line goes out as ".."
        assertTrue(text(onTheWire).contains("\r\n\r\n..leading dot\r\n...two leading dots\r\n..\r\n....\r\n.. \r\n"
                + " .not at line start\r\n"), text(onTheWire));
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            String id = queuedId(sendTransaction(c, onTheWire));
            assertInStep(c);
            assertArrayEquals(message, afterReceived(stored(gw, id), id));
        }
    }

    @Test
    void storesMessagesWithoutTrailingEmptyLineAndWithOnlyAHeader() throws Exception {
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            String first = queuedId(sendTransaction(c, bytes("Subject: only a header\r\n.\r\n")));
            String second = queuedId(sendTransaction(c, bytes("Subject: s\r\n\r\n..\r\n..\r\n.\r\n")));
            assertInStep(c);
            assertEquals("Subject: only a header\r\n", text(afterReceived(stored(gw, first), first)));
            assertEquals("Subject: s\r\n\r\n.\r\n.\r\n", text(afterReceived(stored(gw, second), second)));
        }
    }

    /**
     * A 998-octet line that starts with '.' is legal: it goes out dot-stuffed as 999 octets, and
     * RFC 5321 §4.5.3.1.6 counts the line "not counting the leading dot duplicated for transparency".
     */
    @Test
    void acceptsLongestLegalLineWhenItStartsWithADot() throws Exception {
        byte[] message = bytes("Subject: dot line\r\n\r\n." + "d".repeat(997) + "\r\nend\r\n");
        try (TestGateway gw = TestGateway.builder(dir).start(); RawSmtp c = connect(gw)) {
            String reply = sendTransaction(c, wire(message));
            assertInStep(c);
            String id = queuedId(reply);
            assertArrayEquals(message, afterReceived(stored(gw, id), id));
        }
    }
}
