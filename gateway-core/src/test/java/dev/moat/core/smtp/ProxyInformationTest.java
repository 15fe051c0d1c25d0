package dev.moat.core.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.junit.jupiter.api.Test;

/**
 * James 3.8.1's {@code ProtocolSessionImpl.getProxyInformation()} is {@code Optional.of(null)}: it
 * throws a NullPointerException on every connection that came without a PROXY header. Moat's
 * sessions answer empty instead, and the header's client when there was one.
 */
class ProxyInformationTest {

    /** An in-memory channel with TCP-like addresses (the proxy's peer address and Moat's own). */
    private static EmbeddedChannel channel() {
        return new EmbeddedChannel() {
            @Override
            protected java.net.SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 50000);
            }

            @Override
            protected java.net.SocketAddress localAddress0() {
                return new InetSocketAddress("127.0.0.1", 25);
            }
        };
    }

    private static ProtocolSession session(EmbeddedChannel channel) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(new MicrometerMetricFactory(registry), false);
        chain.wireExtensibleHandlers();
        SMTPProtocol protocol = new SMTPProtocol(chain, new GatewaySmtpConfiguration("mx.test.example", 1024 * 1024));
        GatewayChannelHandler handler = new GatewayChannelHandler(protocol, null, "mx.test.example", 512,
                new InvalidCommandLimiter(10, "mx.test.example"), new SmtpMetrics(registry, "test"));
        channel.pipeline().addLast(handler);
        return handler.createSession(channel.pipeline().context(handler));
    }

    @Test
    void withoutAHeaderTheAnswerIsEmptyNotAnException() throws Exception {
        EmbeddedChannel channel = channel();
        ProtocolSession session = session(channel);
        assertEquals(Optional.empty(), session.getProxyInformation());
        assertEquals(new InetSocketAddress("127.0.0.1", 50000), session.getRemoteAddress());
        channel.finishAndReleaseAll();
    }

    @Test
    void withAHeaderTheProxiedClientIsTheSource() throws Exception {
        EmbeddedChannel channel = channel();
        InetSocketAddress client = new InetSocketAddress("203.0.113.9", 40000);
        channel.attr(ClientAddress.PROXIED).set(client);
        ProtocolSession session = session(channel);
        assertEquals(client, session.getProxyInformation().orElseThrow().getSource());
        assertEquals(client, session.getRemoteAddress());
        channel.finishAndReleaseAll();
    }
}
