package dev.moat.core.smtp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/** Counts a listener's connections and TLS handshakes, on the event loop. Shared by its channels. */
@ChannelHandler.Sharable
final class ConnectionMetricsHandler extends ChannelInboundHandlerAdapter {

    private final SmtpMetrics metrics;

    ConnectionMetricsHandler(SmtpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            metrics.tlsHandshake(ssl != null ? ssl.engine().getSession().getProtocol() : "unknown");
        }
        super.userEventTriggered(ctx, event);
    }
}
