package dev.moat.filter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.SessionInfo;
import dev.moat.filter.TlsInfo;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestSessionTest {

    @Test
    void defaults() {
        SessionInfo s = TestSession.defaults();
        assertEquals("test-session", s.id());
        assertEquals("mx", s.listener());
        assertEquals(new InetSocketAddress("192.0.2.10", 40000), s.clientAddress());
        assertEquals("192.0.2.10", s.clientAddress().getAddress().getHostAddress());
        assertEquals(Optional.of("client.example"), s.heloName());
        assertTrue(s.extendedHello());
        assertEquals(Optional.empty(), s.tls());
        assertEquals(Optional.empty(), s.authenticatedUser());
    }

    @Test
    void everyValueCanBeSet() {
        SessionInfo s = TestSession.builder().id("s1").listener("submission").clientIp("2001:db8::1").clientPort(587)
                .helo("laptop").extendedHello(false).tls("TLSv1.3", "TLS_AES_128_GCM_SHA256").user("alice").build();
        assertEquals("s1", s.id());
        assertEquals("submission", s.listener());
        assertEquals(587, s.clientAddress().getPort());
        assertEquals("2001:db8:0:0:0:0:0:1", s.clientAddress().getAddress().getHostAddress());
        assertEquals(Optional.of("laptop"), s.heloName());
        assertFalse(s.extendedHello());
        assertEquals(Optional.of(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256")), s.tls());
        assertEquals(Optional.of("alice"), s.authenticatedUser());
        assertEquals(s, TestSession.builder(s).build());
    }

    @Test
    void hostNamesAreNotAccepted() {
        assertThrows(IllegalArgumentException.class, () -> TestSession.builder().clientIp("mail.example.com"));
        assertThrows(IllegalArgumentException.class, () -> TestSession.builder().clientPort(70000));
    }
}
