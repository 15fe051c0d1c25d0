package dev.moat.core.chain;

import static dev.moat.core.chain.ChainTestSupport.afterReceived;
import static dev.moat.core.chain.ChainTestSupport.corpusMessage;
import static dev.moat.core.chain.ChainTestSupport.dotStuff;
import static dev.moat.core.chain.ChainTestSupport.eml;
import static dev.moat.core.chain.ChainTestSupport.latin1;
import static dev.moat.core.chain.ChainTestSupport.only;
import static dev.moat.core.chain.ChainTestSupport.open;
import static dev.moat.core.chain.ChainTestSupport.queuedId;
import static dev.moat.core.chain.ChainTestSupport.transaction;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.Header;
import dev.moat.filter.MimePart;
import dev.moat.filter.Verdict;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a data filter sees through {@link dev.moat.filter.MessageView} for real MIME messages of the
 * corpus: the header fields (unfolded, in order), the size, the raw stream (without Moat's Received
 * header, dot-stuffing undone) and the MIME part list. The expected part lists were worked out by
 * hand from the files: a part's size is its body up to (not including) the CRLF that precedes the next
 * boundary; containers (multiparts, and message/rfc822 whose content is listed as its own entity one
 * level deeper) have size 0.
 */
class MessageViewOnTheWireTest {

    /** What the data filter saw; {@code parts} is null and {@code partsError} set if {@code parts()} threw. */
    record Seen(List<Header> headers, List<Header> contentTypes, long size, byte[] bytes, List<MimePart> parts,
            Exception partsError) {

        /** Asserts the part list; a {@code parts()} that threw fails with its exception. */
        void assertParts(List<MimePart> expected) {
            if (partsError != null) {
                throw new AssertionError("MessageView.parts() threw instead of listing " + expected, partsError);
            }
            assertEquals(expected, parts);
        }
    }

    @TempDir
    Path dir;

    /** Sends the corpus file through a gateway whose data filter records its view; checks the stored copy too. */
    private Seen send(String corpusFile) throws Exception {
        AtomicReference<Seen> seen = new AtomicReference<>();
        Filter recorder = new Filter() {
            @Override
            public Verdict data(DataContext context) throws Exception {
                byte[] bytes;
                try (InputStream in = context.message().openStream()) {
                    bytes = in.readAllBytes();
                }
                List<Header> headers = context.message().headers();
                List<Header> contentTypes = context.message().headers("content-type");
                List<MimePart> parts = null;
                Exception partsError = null;
                try {
                    parts = context.message().parts();
                    assertSame(parts, context.message().parts(), "parts() is computed once");
                } catch (Exception e) {
                    partsError = e;
                }
                seen.set(new Seen(headers, contentTypes, context.message().size(), bytes, parts, partsError));
                return Verdict.next();
            }
        };
        byte[] message = corpusMessage(corpusFile);
        try (TestGateway gw = TestGateway.builder(dir).filterType(ChainTestSupport.type("recorder", recorder))
                .yaml("filters:\n  - {name: rec, type: recorder}\n").start();
                RawSmtp c = open(gw.port())) {
            String id = queuedId(transaction(c, "a@x.test", List.of("b@y.test"), latin1(dotStuff(message))));
            assertEquals(latin1(message), afterReceived(eml(only(gw.capture(), id)), id, "b@y.test"));
        }
        Seen s = seen.get();
        assertNotNull(s, "the data filter was not called");
        assertEquals(message.length, s.size(), "size()");
        assertArrayEquals(message, s.bytes(), "openStream() must give the message as the client sent it");
        return s;
    }

    private static MimePart part(String type, String disposition, String filename, long size, int depth) {
        return new MimePart(type, Optional.ofNullable(disposition), Optional.ofNullable(filename), size, depth);
    }

    @Test
    void multiNested() throws Exception {
        Seen s = send("multi-nested.msg");
        assertEquals(3290, s.size());
        assertEquals(List.of(
                new Header("MIME-Version", "1.0"),
                new Header("From", "Lord John Whorfin <whorfin@yoyodyne.com>"),
                new Header("To", "<john-yaya@yoyodyne.com>"),
                new Header("Subject", "A complex nested multipart example"),
                new Header("Content-Type", "multipart/mixed;     boundary=unique-boundary-1")), s.headers());
        assertEquals(List.of(new Header("Content-Type", "multipart/mixed;     boundary=unique-boundary-1")), s.contentTypes());
        s.assertParts(List.of(
                part("multipart/mixed", null, null, 0, 0),
                part("text/plain", null, null, 213, 1),          // no header at all: text/plain by default
                part("text/plain", null, null, 144, 1),
                part("multipart/parallel", null, null, 0, 1),
                part("image/gif", "inline", "3d-vise.gif", 574, 2),
                part("image/gif", "inline", "3d-eye.gif", 488, 2),
                part("text/richtext", null, null, 152, 1),
                part("message/rfc822", null, "/evil/filename", 0, 1), // name= of Content-Type, as given
                part("text/plain", null, null, 58, 2)));         // the enclosed message ("Text/plain" lower-cased)
    }

    @Test
    void attachmentFilenameEncodingUtf8() throws Exception {
        Seen s = send("attachment-filename-encoding-UTF8.msg");
        assertEquals(591, s.size()); // 571 bytes with LF line ends, 20 lines
        assertEquals(List.of(
                new Header("MIME-Version", "1.0"),
                new Header("Content-Type", "multipart/mixed; boundary=\"------------050706070100080203090004\"")),
                s.headers());
        s.assertParts(List.of(
                part("multipart/mixed", null, null, 0, 0),
                part("text/plain", null, null, 17, 1),                           // "Attachment Test\r\n"
                part("text/plain", "attachment", "attachment.\u00e4\u00f6\u00fc", 8, 1))); // RFC 2231 / 2047; "VGVzdAo="
    }

    @Test
    void multipartWithForwardedRfc822Message() throws Exception {
        Seen s = send("mp-msg-rfc822.msg");
        assertEquals(4806, s.size()); // the mbox "From " line dropped, CRLF line ends
        assertEquals(List.of(
                new Header("Date", "Thu, 20 Jun 1996 08:35:17 +0200"),
                new Header("From", "Juergen Specht <specht@kulturbox.de>"),
                new Header("Organization", "KULTURBOX"),
                new Header("X-Mailer", "Mozilla 2.02 (WinNT; I)"),
                new Header("MIME-Version", "1.0"),
                new Header("To", "andreas.koenig@mind.de, kun@pop.combox.de, 101762.2307@compuserve.com"),
                new Header("Subject", "[Fwd: Re: 34Mbit/s Netz]"),
                new Header("Content-Type", "multipart/mixed; boundary=\"------------70522FC73543\""),
                new Header("X-Filter", "mailagent [version 3.0 PL44] for k@.in-berlin.de")), s.headers());
        s.assertParts(List.of(
                part("multipart/mixed", null, null, 0, 0),
                part("text/plain", null, null, 33, 1),        // "-- \r\nJuergen Specht - KULTURBOX\r\n"
                part("message/rfc822", "inline", null, 0, 1),
                part("text/plain", null, null, 2492, 2)));    // the forwarded message's quoted-printable body
    }

    @Test
    void aPlainMessageIsOnePartAndHeadersKeepFoldingWhitespace() throws Exception {
        AtomicReference<List<MimePart>> parts = new AtomicReference<>();
        AtomicReference<List<Header>> headers = new AtomicReference<>();
        AtomicReference<Exception> partsError = new AtomicReference<>();
        Filter recorder = new Filter() {
            @Override
            public Verdict data(DataContext context) throws Exception {
                headers.set(context.message().headers());
                assertSame(headers.get(), context.message().headers());
                try {
                    parts.set(context.message().parts());
                } catch (Exception e) {
                    partsError.set(e);
                }
                return Verdict.next();
            }
        };
        String message = "Subject: a\r\n  folded\tsubject\r\nX-Empty:\r\nX-Tight:value\r\n\r\n.hello\r\n";
        try (TestGateway gw = TestGateway.builder(dir).filterType(ChainTestSupport.type("recorder", recorder))
                .yaml("filters:\n  - {name: rec, type: recorder}\n").start();
                RawSmtp c = open(gw.port())) {
            queuedId(transaction(c, "a@x.test", List.of("b@y.test"), message.replace("\r\n.", "\r\n..")));
        }
        assertEquals(List.of(new Header("Subject", "a  folded\tsubject"), new Header("X-Empty", ""),
                new Header("X-Tight", "value")), headers.get());
        new Seen(headers.get(), List.of(), 0, new byte[0], parts.get(), partsError.get())
                .assertParts(List.of(part("text/plain", null, null, 8, 0))); // ".hello\r\n" unstuffed
    }
}
