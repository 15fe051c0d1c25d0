package dev.moat.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The small SPI value types: NoteKey, MimePart, TlsInfo, InvalidSettingException, and the Filter defaults. */
class SpiValuesTest {

    @Test
    void noteKeysCompareByIdentity() {
        NoteKey<String> a = NoteKey.of("score", String.class);
        NoteKey<String> b = NoteKey.of("score", String.class);
        assertNotEquals(a, b);
        assertEquals(a, a);
        Map<NoteKey<?>, Object> map = new HashMap<>();
        map.put(a, "from a");
        map.put(b, "from b");
        assertEquals(2, map.size());
        assertEquals("from a", map.get(a));
        assertEquals("score", a.name());
        assertSame(String.class, a.type());
        assertEquals("score:String", a.toString());
        assertEquals("n:Integer", NoteKey.of("n", Integer.class).toString());
        assertThrows(NullPointerException.class, () -> NoteKey.of(null, String.class));
        assertThrows(NullPointerException.class, () -> NoteKey.of("x", null));
    }

    @Test
    void mimePartValidation() {
        MimePart leaf = new MimePart("image/gif", Optional.of("inline"), Optional.of("a.gif"), 574, 2);
        assertFalse(leaf.isMultipart());
        assertTrue(new MimePart("multipart/mixed", Optional.empty(), Optional.empty(), 0, 0).isMultipart());
        assertFalse(new MimePart("message/rfc822", Optional.empty(), Optional.empty(), 0, 1).isMultipart());
        assertThrows(IllegalArgumentException.class, () -> new MimePart("text/plain", Optional.empty(), Optional.empty(), -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new MimePart("text/plain", Optional.empty(), Optional.empty(), 0, -1));
        assertThrows(NullPointerException.class, () -> new MimePart(null, Optional.empty(), Optional.empty(), 0, 0));
        assertThrows(NullPointerException.class, () -> new MimePart("text/plain", null, Optional.empty(), 0, 0));
        assertThrows(NullPointerException.class, () -> new MimePart("text/plain", Optional.empty(), null, 0, 0));
        assertEquals(leaf, new MimePart("image/gif", Optional.of("inline"), Optional.of("a.gif"), 574, 2));
    }

    @Test
    void tlsInfoRequiresBothValues() {
        assertEquals("TLSv1.3", new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256").protocol());
        assertThrows(NullPointerException.class, () -> new TlsInfo(null, "c"));
        assertThrows(NullPointerException.class, () -> new TlsInfo("p", null));
    }

    @Test
    void invalidSettingExceptionNamesTheKey() {
        InvalidSettingException e = new InvalidSettingException("max", "must be positive");
        assertEquals("max", e.key());
        assertEquals("max: must be positive", e.getMessage());
        assertTrue(e instanceof RuntimeException);
        assertThrows(NullPointerException.class, () -> new InvalidSettingException(null, "r"));
        assertThrows(NullPointerException.class, () -> new InvalidSettingException("k", null));
    }

    @Test
    void filterDefaultsSayNextEverywhereAndCloseQuietly() throws Exception {
        Filter f = new Filter() { };
        assertSame(Verdict.next(), f.connect(null));
        assertSame(Verdict.next(), f.helo(null));
        assertSame(Verdict.next(), f.mailFrom(null));
        assertSame(Verdict.next(), f.rcptTo(null));
        assertSame(Verdict.next(), f.data(null));
        f.close();
    }

    @Test
    void headerMutationsReplaceIsRemoveThenAdd() {
        StringBuilder log = new StringBuilder();
        HeaderMutations m = new HeaderMutations() {
            @Override
            public void add(Header header) {
                log.append("add ").append(header.name()).append(';');
            }

            @Override
            public void remove(String name) {
                log.append("remove ").append(name).append(';');
            }
        };
        m.replace(new Header("Subject", "new"));
        assertEquals("remove Subject;add Subject;", log.toString());
    }

    @Test
    void mailContextSenderDefaultsToTheEnvelopes() {
        Envelope envelope = new Envelope() {
            @Override public Optional<Address> sender() { return Optional.of(Address.parse("a@x.test")); }
            @Override public Map<String, String> mailParameters() { return Map.of(); }
            @Override public java.util.List<Address> recipients() { return java.util.List.of(); }
        };
        MailContext context = new MailContext() {
            @Override public Envelope envelope() { return envelope; }
            @Override public Notes transactionNotes() { return null; }
            @Override public SessionInfo session() { return null; }
            @Override public Notes connectionNotes() { return null; }
            @Override public void rewriteSender(Optional<Address> newSender) { }
        };
        assertEquals(Optional.of(Address.parse("a@x.test")), context.sender());
    }
}
