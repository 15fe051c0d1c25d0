package dev.moat.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeaderTest {

    @Test
    void validFields() {
        Header h = new Header("X-Spam-Score", "5.1 (threshold 5.0)");
        assertEquals("X-Spam-Score", h.name());
        assertEquals("5.1 (threshold 5.0)", h.value());
        assertEquals("", new Header("X-Empty", "").value());
        assertEquals("a\tb =?UTF-8?B?w6Q=?= \u00e4", new Header("Subject", "a\tb =?UTF-8?B?w6Q=?= \u00e4").value());
        assertEquals(100, new Header("n".repeat(100), "v").name().length());
        assertEquals("!~", new Header("!~", "v").name());
    }

    @Test
    void nameMustBe1To100PrintableCharactersWithoutColon() {
        for (String bad : new String[] {"", "n".repeat(101), "X Spam", "X:Spam", "X-Spam:", "\tX", "X\u007f", "X\u00e4", "X\r\n"}) {
            assertThrows(IllegalArgumentException.class, () -> new Header(bad, "v"), () -> "accepted name: " + bad);
        }
        assertThrows(NullPointerException.class, () -> new Header(null, "v"));
    }

    @Test
    void valueMustNotContainLineBreaksOrNul() {
        for (String bad : new String[] {"a\r\nBcc: victim@example.com", "a\nb", "a\rb", "a\0b", "folded\r\n continuation"}) {
            assertThrows(IllegalArgumentException.class, () -> new Header("X-Test", bad), () -> "accepted value: " + bad);
        }
        assertThrows(NullPointerException.class, () -> new Header("X-Test", null));
    }

    @Test
    void hasNameIgnoresCase() {
        Header h = new Header("Content-Type", "text/plain");
        assertTrue(h.hasName("content-type"));
        assertTrue(h.hasName("CONTENT-TYPE"));
        assertFalse(h.hasName("Content-Typ"));
        assertFalse(h.hasName("Content-Type "));
    }

    @Test
    void recordEquality() {
        assertEquals(new Header("A", "b"), new Header("A", "b"));
        assertFalse(new Header("A", "b").equals(new Header("a", "b")), "record equality is exact; use hasName to compare names");
    }
}
