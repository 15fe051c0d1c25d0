package dev.moat.core.smtp;

import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.apache.james.util.MDCBuilder;

/**
 * Log context for a session: the client IP and the session id. Unlike James's standard factory it
 * never resolves the client's host name, which would block on DNS for every command.
 */
final class SessionMdc implements ProtocolMDCContextFactory {

    @Override
    public MDCBuilder onBound(Protocol protocol, ChannelHandlerContext ctx) {
        MDCBuilder mdc = MDCBuilder.create().addToContext(MDCBuilder.PROTOCOL, protocol.getName());
        InetSocketAddress address = ClientAddress.of(ctx.channel());
        if (address != null && address.getAddress() != null) {
            mdc.addToContext(MDCBuilder.IP, address.getAddress().getHostAddress());
        }
        return mdc;
    }

    @Override
    public MDCBuilder withContext(ProtocolSession session) {
        return MDCBuilder.create().addToContext("sessionId", session.getSessionID());
    }
}
