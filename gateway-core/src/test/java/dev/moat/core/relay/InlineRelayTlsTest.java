package dev.moat.core.relay;

import static dev.moat.core.relay.RelaySupport.UNAVAILABLE_TEXT;
import static dev.moat.core.relay.RelaySupport.assertReceivedPlus;
import static dev.moat.core.relay.RelaySupport.connect;
import static dev.moat.core.relay.RelaySupport.deliveredId;
import static dev.moat.core.relay.RelaySupport.mailOk;
import static dev.moat.core.relay.RelaySupport.routes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.relay.RelaySupport.Route;
import dev.moat.core.relay.ScriptedNextHop.Line;
import dev.moat.core.relay.ScriptedNextHop.Message;
import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** STARTTLS policies towards the next hop, and AUTH credentials that only travel encrypted and are never logged. */
class InlineRelayTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String MESSAGE = "Subject: tls\r\n\r\nsecret body\r\n";
    private static final String PASSWORD = "s3cret";

    @TempDir
    static Path pki;
    static Path trustedCa;
    static Path otherCa;
    static SSLContext goodCert;
    static SSLContext wrongNameCert;
    static SSLContext untrustedCert;
    static SSLContext ipCert;

    @TempDir
    Path dir;

    ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void certificates() throws Exception {
        RelayCerts.Ca ca = RelayCerts.Ca.create("Moat Test Internal CA");
        RelayCerts.Ca stranger = RelayCerts.Ca.create("Somebody Else's CA");
        trustedCa = ca.writePem(pki.resolve("internal-ca.pem"));
        otherCa = stranger.writePem(pki.resolve("other-ca.pem"));
        goodCert = ca.issue("mx.internal.test").serverContext();
        wrongNameCert = ca.issue("other.internal.test").serverContext();
        untrustedCert = stranger.issue("mx.internal.test").serverContext();
        ipCert = ca.issue("127.0.0.1").serverContext();
    }

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        root().addAppender(logs);
    }

    @AfterEach
    void stopCapture() {
        root().detachAppender(logs);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private TestGateway gateway(Route route) throws Exception {
        return TestGateway.builder(dir).yaml(routes(route)).env(Map.of("RELAY_PW", PASSWORD)).start();
    }

    private static String verify(Path trust, String expectedName) {
        return "{mode: verify, trust-file: \"" + trust + "\"" + (expectedName == null ? "" : ", expected-name: " + expectedName) + "}";
    }

    /** The client's RCPT reply for a route whose next hop cannot be used; the hop must have seen no MAIL. */
    private static void assertRefusedBeforeMail(TestGateway gw, ScriptedNextHop hop, String expected) throws Exception {
        try (RawSmtp c = connect(gw)) {
            assertEquals(mailOk("s@x.test"), c.command("MAIL FROM:<s@x.test>"));
            assertEquals(expected, c.command("RCPT TO:<r@a.test>"));
        }
        assertTrue(hop.awaitAllClosed(WAIT));
        assertFalse(hop.sawVerb("MAIL"), "nothing of the transaction may be sent: " + hop.lines());
        assertFalse(hop.sawVerb("RCPT"));
        assertTrue(hop.messages().isEmpty());
        assertTrue(gw.capture().list().isEmpty());
    }

    /** Delivers one message and returns it as the next hop got it. */
    private static Message deliverOne(TestGateway gw, ScriptedNextHop hop) throws Exception {
        try (RawSmtp c = connect(gw)) {
            String id = deliveredId(RelaySupport.send(c, "s@x.test", "r@a.test", MESSAGE));
            assertEquals(1, hop.messages().size());
            Message m = hop.messages().get(0);
            assertReceivedPlus(m.text(), MESSAGE, id);
            return m;
        }
    }

    private static Line mailLine(ScriptedNextHop hop) {
        return hop.lines().stream().filter(l -> l.verb().equals("MAIL")).findFirst().orElseThrow();
    }

    @Test
    void requiredButNotOfferedGives451AndNothingInPlaintextBeyondEhlo() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: required}"))) {
            assertRefusedBeforeMail(gw, hop, "451 4.7.5 " + UNAVAILABLE_TEXT);
            assertEquals(List.of("EHLO"), hop.connection(0).verbs());
        }
    }

    @Test
    void requiredWithAnyCertificateEncrypts() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(untrustedCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: required}"))) {
            Message m = deliverOne(gw, hop);
            assertTrue(m.tls());
            assertTrue(mailLine(hop).tls());
            assertEquals(List.of("EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA"), hop.connection(0).verbs().subList(0, 6));
        }
    }

    @Test
    void verifyWithACertificateForAnotherNameGives4xxAndNoMail() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(wrongNameCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls(verify(trustedCa, "mx.internal.test")))) {
            assertRefusedBeforeMail(gw, hop, "451 4.7.5 " + UNAVAILABLE_TEXT);
            assertEquals(List.of("EHLO", "STARTTLS"), hop.connection(0).verbs());
            assertFalse(hop.connection(0).tls);
        }
    }

    @Test
    void verifyWithACertificateFromAnUntrustedCaGives4xxAndNoMail() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(untrustedCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls(verify(trustedCa, "mx.internal.test")))) {
            assertRefusedBeforeMail(gw, hop, "451 4.7.5 " + UNAVAILABLE_TEXT);
            assertFalse(hop.connection(0).tls);
        }
    }

    @Test
    void verifyWithTheWrongTrustFileGives4xx() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(goodCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls(verify(otherCa, "mx.internal.test")))) {
            assertRefusedBeforeMail(gw, hop, "451 4.7.5 " + UNAVAILABLE_TEXT);
        }
    }

    @Test
    void verifyWithoutExpectedNameChecksTheNextHopsHost() throws Exception {
        // The certificate names mx.internal.test; the next hop is 127.0.0.1: a mismatch.
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(goodCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls(verify(trustedCa, null)))) {
            assertRefusedBeforeMail(gw, hop, "451 4.7.5 " + UNAVAILABLE_TEXT);
        }
    }

    @Test
    void verifyWithTheRightTrustFileAndExpectedNameDeliversOverTls() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(goodCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls(verify(trustedCa, "mx.internal.test")))) {
            Message m = deliverOne(gw, hop);
            assertTrue(m.tls(), "the message went over TLS");
            assertTrue(mailLine(hop).tls(), "TLS was active when MAIL arrived");
            assertTrue(hop.connection(0).lines.stream().filter(l -> !l.tls()).allMatch(
                    l -> l.verb().equals("EHLO") || l.verb().equals("STARTTLS")), "only EHLO and STARTTLS in plaintext");
        }
    }

    @Test
    void verifyMatchesAnIpAddressNextHopAgainstTheCertificatesIpName() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(ipCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls(verify(trustedCa, null)))) {
            assertTrue(deliverOne(gw, hop).tls());
        }
    }

    @Test
    void opportunisticUsesTlsWhenOffered() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(untrustedCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: opportunistic}"))) {
            assertTrue(deliverOne(gw, hop).tls());
            assertTrue(mailLine(hop).tls());
        }
    }

    @Test
    void opportunisticFallsBackToPlaintextWhenNotOffered() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start();
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: opportunistic}"))) {
            assertFalse(deliverOne(gw, hop).tls());
            assertFalse(hop.sawVerb("STARTTLS"));
        }
    }

    @Test
    void opportunisticIsTheDefault() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(untrustedCert);
                TestGateway gw = TestGateway.builder(dir).yaml("routes:\n  - domains: [a.test]\n    mode: inline\n"
                        + "    next-hops: [\"" + hop.url() + "\"]\n").start()) {
            assertTrue(deliverOne(gw, hop).tls());
        }
    }

    @Test
    void modeNoneNeverStartsTls() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(goodCert);
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: none}"))) {
            assertFalse(deliverOne(gw, hop).tls());
            assertFalse(hop.sawVerb("STARTTLS"));
        }
    }

    @Test
    void authPlainOverTlsWithThePasswordFromTheEnvironmentNeverLogged() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(untrustedCert)
                        .auth("PLAIN LOGIN", "235 2.7.0 Authentication successful");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: required}")
                        .auth("{username: relay, password: \"${RELAY_PW}\"}"))) {
            Message m = deliverOne(gw, hop);
            assertTrue(m.tls());
            Line auth = hop.lines().stream().filter(l -> l.verb().equals("AUTH")).findFirst().orElseThrow();
            assertTrue(auth.tls(), "credentials only over TLS");
            assertTrue(auth.text().startsWith("AUTH PLAIN "), auth.text());
            String decoded = new String(Base64.getDecoder().decode(auth.text().substring("AUTH PLAIN ".length())),
                    StandardCharsets.UTF_8);
            assertEquals("\0relay\0" + PASSWORD, decoded);
            List<String> verbs = hop.connection(0).verbs();
            assertTrue(verbs.indexOf("AUTH") < verbs.indexOf("MAIL"), verbs.toString());

            RouteConfig route = gw.config().routes().get(0);
            assertEquals(PASSWORD, route.auth().orElseThrow().password());
            assertFalse(route.toString().contains(PASSWORD), route.toString());
            assertFalse(route.auth().orElseThrow().toString().contains(PASSWORD));
            assertFalse(gw.config().toString().contains(PASSWORD));
            assertPasswordNotLogged();
        }
    }

    @Test
    void authLoginWhenOnlyLoginIsOffered() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(untrustedCert)
                        .auth("LOGIN", "235 2.7.0 Authentication successful");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: required}")
                        .auth("{username: relay, password: \"${RELAY_PW}\"}"))) {
            deliverOne(gw, hop);
            List<String> commands = hop.connection(0).commands();
            int at = commands.indexOf("AUTH LOGIN");
            assertTrue(at > 0, commands.toString());
            assertEquals(b64("relay"), commands.get(at + 1));
            assertEquals(b64(PASSWORD), commands.get(at + 2));
            assertTrue(hop.connection(0).lines.get(at + 2).tls());
            assertPasswordNotLogged();
        }
    }

    @Test
    void credentialsRefusedGives4xxNoMailAndNoPasswordInTheLog() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().startTls(untrustedCert)
                        .auth("PLAIN LOGIN", "535 5.7.8 Error: authentication failed: " + b64(PASSWORD));
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: required}")
                        .auth("{username: relay, password: \"${RELAY_PW}\"}"))) {
            assertRefusedBeforeMail(gw, hop, "451 4.7.0 " + UNAVAILABLE_TEXT);
            assertPasswordNotLogged();
        }
    }

    @Test
    void credentialsAreNeverSentWithoutTls() throws Exception {
        try (ScriptedNextHop hop = ScriptedNextHop.start().auth("PLAIN LOGIN", "235 2.7.0 Authentication successful");
                TestGateway gw = gateway(Route.inline("a.test", hop.url()).tls("{mode: opportunistic}")
                        .auth("{username: relay, password: \"${RELAY_PW}\"}"))) {
            assertRefusedBeforeMail(gw, hop, "451 4.7.5 " + UNAVAILABLE_TEXT);
            assertFalse(hop.sawVerb("AUTH"), "no AUTH in plaintext: " + hop.lines());
            assertPasswordNotLogged();
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private void assertPasswordNotLogged() {
        List<ILoggingEvent> events = List.copyOf(logs.list);
        String plainToken = b64("\0relay\0" + PASSWORD);
        for (ILoggingEvent e : events) {
            String text = e.getFormattedMessage();
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                text += " " + t.getMessage();
            }
            for (String secret : List.of(PASSWORD, b64(PASSWORD), plainToken)) {
                assertFalse(text.contains(secret), "the password appears in the log: " + text);
            }
        }
        assertNotNull(events);
    }
}
