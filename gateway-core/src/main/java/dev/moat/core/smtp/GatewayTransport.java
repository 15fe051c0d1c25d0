package dev.moat.core.smtp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.NettyProtocolTransport;

/**
 * James's Netty transport with two changes. Every reply gets its enhanced status code. And STARTTLS
 * is switched on atomically on the event loop: the 220 is written and the TLS handler installed in one
 * event-loop task, so no byte the client sends after reading 220 can slip past as plaintext (James
 * does the two steps from the calling thread, which here is a worker).
 */
final class GatewayTransport extends NettyProtocolTransport {

    private final Channel channel;
    private final Encryption encryption;
    private final String hostname;

    private final SmtpMetrics metrics;

    GatewayTransport(Channel channel, Encryption encryption, String hostname, SmtpMetrics metrics) {
        super(channel, encryption, false);
        this.metrics = metrics;
        this.channel = channel;
        this.encryption = encryption;
        this.hostname = hostname;
    }

    Channel channel() {
        return channel;
    }

    /** The proxied client's address behind a PROXY-protocol gate, else the peer's. */
    @Override
    public java.net.InetSocketAddress getRemoteAddress() {
        return ClientAddress.of(channel);
    }

    @Override
    protected void writeToClient(byte[] bytes, ProtocolSession session, boolean startTLS) {
        byte[] reply = EnhancedStatusCodes.apply(bytes, hostname);
        if (reply.length >= 3) {
            metrics.reply(ConnectionState.of(channel).stage,
                    (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0'));
        }
        if (!startTLS) {
            ConnectionState state = ConnectionState.of(channel);
            if (state.answeringStartTls) {
                // STARTTLS refused: plaintext goes on. Stop discarding before the client can read
                // the refusal, or its next command could arrive while bytes are still dropped.
                state.startTlsPending = false;
            }
            channel.writeAndFlush(Unpooled.wrappedBuffer(reply));
            return;
        }
        ConnectionState.of(channel).tlsStarting = true;
        channel.eventLoop().execute(() -> {
            channel.writeAndFlush(Unpooled.wrappedBuffer(reply));
            SslHandler ssl = encryption.sslHandler();
            channel.pipeline().addFirst(HandlerConstants.SSL_HANDLER, ssl);
        });
    }
}
