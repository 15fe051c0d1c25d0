package dev.moat.core.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CapturedEnvelopeTest {

    private static final Instant T = Instant.parse("2025-03-01T10:00:00Z");

    private static CapturedEnvelope withId(String id) {
        return new CapturedEnvelope(id, T, "inbound", "192.0.2.1", "", Optional.empty(), Optional.empty(),
                Optional.empty(), "", List.of("bob@example.org"), Map.of(), List.of(), Optional.empty(), 0);
    }

    @Test
    void acceptsIdsOfTheAllowedAlphabetUpTo64Chars() {
        assertEquals("aZ09._-", withId("aZ09._-").id());
        assertEquals("x".repeat(64), withId("x".repeat(64)).id());
        assertEquals("..", withId("..").id());
    }

    @Test
    void rejectsInvalidIds() {
        for (String bad : List.of("", "x".repeat(65), "a/b", "a\\b", "a b", "ä", "a:b", "a\u0000")) {
            assertThrows(IllegalArgumentException.class, () -> withId(bad), bad);
        }
        assertThrows(NullPointerException.class, () -> withId(null));
    }

    @Test
    void rejectsEmptyRecipientsNegativeSizeAndNulls() {
        assertThrows(IllegalArgumentException.class, () -> new CapturedEnvelope("a", T, "l", "ip", "", Optional.empty(),
                Optional.empty(), Optional.empty(), "", List.of(), Map.of(), List.of(), Optional.empty(), 0));
        assertThrows(IllegalArgumentException.class, () -> withId("a").withSize(-1));
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> new CapturedEnvelope("a", T, "l", "ip", "", Optional.empty(),
                Optional.empty(), Optional.empty(), "", withNull, Map.of(), List.of(), Optional.empty(), 0));
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("BODY", null);
        assertThrows(NullPointerException.class, () -> new CapturedEnvelope("a", T, "l", "ip", "", Optional.empty(),
                Optional.empty(), Optional.empty(), "", List.of("r"), nullValue, List.of(), Optional.empty(), 0));
        assertThrows(NullPointerException.class, () -> new CapturedEnvelope("a", T, "l", "ip", null, Optional.empty(),
                Optional.empty(), Optional.empty(), "", List.of("r"), Map.of(), List.of(), Optional.empty(), 0));
        assertThrows(NullPointerException.class, () -> new CapturedEnvelope("a", T, "l", "ip", "", null,
                Optional.empty(), Optional.empty(), "", List.of("r"), Map.of(), List.of(), Optional.empty(), 0));
    }

    @Test
    void copiesCollectionsAndKeepsParameterOrder() {
        List<String> recipients = new ArrayList<>(List.of("a@x", "b@x"));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SIZE", "100");
        params.put("BODY", "8BITMIME");
        params.put("SMTPUTF8", "");
        CapturedEnvelope e = new CapturedEnvelope("a", T, "l", "ip", "", Optional.empty(), Optional.empty(),
                Optional.empty(), "", recipients, params, List.of(), Optional.empty(), 0);
        recipients.add("c@x");
        params.put("RET", "HDRS");
        assertEquals(List.of("a@x", "b@x"), e.recipients());
        assertEquals(List.of("SIZE", "BODY", "SMTPUTF8"), new ArrayList<>(e.mailParameters().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> e.mailParameters().put("X", "y"));
        assertThrows(UnsupportedOperationException.class, () -> e.recipients().add("z"));
    }

    @Test
    void withSizeReplacesOnlyTheSize() {
        CapturedEnvelope e = withId("a");
        CapturedEnvelope sized = e.withSize(42);
        assertEquals(42, sized.size());
        assertEquals(e, sized.withSize(0));
    }

    @Test
    void verdictRecordAndStoredMessageRejectNulls() {
        assertEquals("", new VerdictRecord("f", "t", "DATA", "ACCEPT", "").detail());
        assertThrows(NullPointerException.class, () -> new VerdictRecord("f", "t", "DATA", "ACCEPT", null));
        assertThrows(NullPointerException.class, () -> new VerdictRecord(null, "t", "DATA", "ACCEPT", ""));
        Path p = Path.of("x");
        assertThrows(IllegalArgumentException.class, () -> new StoredMessage("a", T, -1, p, p));
        assertThrows(IllegalArgumentException.class, () -> new StoredMessage("a/b", T, 0, p, p));
        assertThrows(NullPointerException.class, () -> new StoredMessage("a", null, 0, p, p));
    }
}
