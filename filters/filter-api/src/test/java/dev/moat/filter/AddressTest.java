package dev.moat.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void parseSplitsAtTheLastAt() {
        Address a = Address.parse("bob@example.com");
        assertEquals("bob", a.localPart());
        assertEquals("example.com", a.domain());
        Address quoted = Address.parse("\"a@b\"@example.com");
        assertEquals("\"a@b\"", quoted.localPart());
        assertEquals("example.com", quoted.domain());
        assertEquals("x@y", Address.parse("x@y@z").localPart());
        assertEquals("z", Address.parse("x@y@z").domain());
    }

    @Test
    void addressLiteralsKeepTheirBrackets() {
        Address a = Address.parse("postmaster@[192.0.2.1]");
        assertEquals("[192.0.2.1]", a.domain());
        assertEquals("postmaster@[192.0.2.1]", a.toString());
        assertEquals("[ipv6:2001:db8::1]", Address.parse("a@[IPv6:2001:db8::1]").normalizedDomain());
    }

    @Test
    void parseRejectsWhatIsNotAnAddress() {
        for (String bad : new String[] {"", "@", "bob", "@example.com", "bob@", "bob@ example.com", "bob @example.com",
                "<bob@example.com>", "bob@exa mple.com", "bob@example.com\r\n", "bo\tb@example.com", "bob@exam\u007fple.com",
                "bob@exam\0ple.com"}) {
            assertThrows(IllegalArgumentException.class, () -> Address.parse(bad), () -> "accepted: " + bad);
        }
        assertThrows(NullPointerException.class, () -> Address.parse(null));
    }

    @Test
    void ofChecksBothParts() {
        assertThrows(IllegalArgumentException.class, () -> Address.of("", "example.com"));
        assertThrows(IllegalArgumentException.class, () -> Address.of("bob", ""));
        assertThrows(IllegalArgumentException.class, () -> Address.of("b ob", "example.com"));
        assertThrows(IllegalArgumentException.class, () -> Address.of("bob", "example.com>"));
        assertThrows(NullPointerException.class, () -> Address.of(null, "example.com"));
        assertThrows(NullPointerException.class, () -> Address.of("bob", null));
        assertEquals("bob@example.com", Address.of("bob", "example.com").toString());
    }

    @Test
    void lengthLimits() {
        assertEquals(256, Address.of("l".repeat(256), "d").localPart().length());
        assertThrows(IllegalArgumentException.class, () -> Address.of("l".repeat(257), "d"));
        assertEquals(255, Address.of("l", "d".repeat(255)).domain().length());
        assertThrows(IllegalArgumentException.class, () -> Address.of("l", "d".repeat(256)));
    }

    @Test
    void domainComparesCaseInsensitivelyLocalPartExactly() {
        Address a = Address.parse("Bob@Example.COM");
        assertEquals(Address.parse("Bob@example.com"), a);
        assertEquals(Address.parse("Bob@example.com").hashCode(), a.hashCode());
        assertNotEquals(Address.parse("bob@example.com"), a);
        assertEquals("example.com", a.normalizedDomain());
        assertEquals("Example.COM", a.domain(), "the domain is kept as sent");
        assertEquals("Bob@Example.COM", a.toString());
    }

    @Test
    void nonAsciiIsKept() {
        Address a = Address.parse("j\u00f6rg@b\u00fccher.example");
        assertEquals("j\u00f6rg", a.localPart());
        assertEquals("b\u00fccher.example", a.domain());
    }
}
