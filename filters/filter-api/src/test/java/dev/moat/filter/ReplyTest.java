package dev.moat.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void toStringIsTheWireLineWithoutLineEnding() {
        assertEquals("550 5.7.1 Relay access denied", new Reply(550, "5.7.1", "Relay access denied").toString());
        assertEquals("250 2.0.0", new Reply(250, "2.0.0", "").toString());
        assertEquals("421 4.4.2 a  b ", new Reply(421, "4.4.2", "a  b ").toString());
    }

    @Test
    void classification() {
        assertTrue(new Reply(451, "4.3.0", "x").isTransient());
        assertFalse(new Reply(451, "4.3.0", "x").isPermanent());
        assertTrue(new Reply(554, "5.7.1", "x").isPermanent());
        assertFalse(new Reply(554, "5.7.1", "x").isTransient());
        assertFalse(new Reply(250, "2.0.0", "x").isTransient());
        assertFalse(new Reply(250, "2.0.0", "x").isPermanent());
    }

    @Test
    void codeMustBe2xxTo5xx() {
        assertThrows(IllegalArgumentException.class, () -> new Reply(199, "2.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(600, "5.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(-550, "5.0.0", "x"));
        new Reply(200, "2.0.0", "x");
        new Reply(599, "5.9.9", "x");
    }

    @Test
    void enhancedStatusMustBeWellFormedAndOfTheCodesClass() {
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7.1.1", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.1000.1", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7.1000", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(350, "3.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, " 5.7.1", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "4.7.1", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(450, "5.7.1", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(250, "5.7.1", "x"));
        assertThrows(NullPointerException.class, () -> new Reply(550, null, "x"));
        assertEquals("5.999.999", new Reply(550, "5.999.999", "x").enhancedStatus());
    }

    @Test
    void textIsAtMost400PrintableAsciiCharacters() {
        String max = "x".repeat(400);
        assertEquals(max, new Reply(550, "5.7.1", max).text());
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7.1", max + "x"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7.1", "line\r\n550 injected"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7.1", "nul\0"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7.1", "del\u007f"));
        assertThrows(IllegalArgumentException.class, () -> new Reply(550, "5.7.1", "\u00fcber"));
        assertThrows(NullPointerException.class, () -> new Reply(550, "5.7.1", null));
        assertEquals(" ~!", new Reply(550, "5.7.1", " ~!").text());
    }

    @Test
    void recordEquality() {
        assertEquals(new Reply(550, "5.7.1", "x"), new Reply(550, "5.7.1", "x"));
        assertEquals(new Reply(550, "5.7.1", "x").hashCode(), new Reply(550, "5.7.1", "x").hashCode());
    }
}
