package dev.moat.core.smtp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps concurrent connections, in all and per client IP (RFC 5321 §4.5.3.2 allows 421 at the
 * greeting). A connection over a cap gets {@code 421 4.7.0} and is closed before any session exists;
 * no later event of it reaches the rest of the pipeline. Shared by every channel of one server.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private final int maxConnections;
    private final int maxPerIp;
    private final String hostname;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private static final io.netty.util.AttributeKey<Boolean> REFUSED = io.netty.util.AttributeKey.valueOf("moat.refused");

    ConnectionLimiter(int maxConnections, int maxPerIp, String hostname) {
        this.maxConnections = maxConnections;
        this.maxPerIp = maxPerIp;
        this.hostname = hostname;
    }

    int active() {
        return total.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress ip = ClientAddress.of(ctx.channel()).getAddress();
        int all = total.incrementAndGet();
        int mine = perIp.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
        if (all > maxConnections || mine > maxPerIp) {
            ctx.channel().attr(REFUSED).set(true);
            ConnectionState.of(ctx.channel()).closing = true;
            String text = all > maxConnections ? "Too many connections" : "Too many connections from your address";
            ctx.writeAndFlush(Unpooled.copiedBuffer("421 4.7.0 " + hostname + " " + text + ", try again later\r\n",
                    StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InetAddress ip = ClientAddress.of(ctx.channel()).getAddress();
        total.decrementAndGet();
        perIp.computeIfPresent(ip, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
        if (!Boolean.TRUE.equals(ctx.channel().attr(REFUSED).get())) {
            super.channelInactive(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (Boolean.TRUE.equals(ctx.channel().attr(REFUSED).get())) {
            ReferenceCountUtil.release(msg);
            return;
        }
        super.channelRead(ctx, msg);
    }
}
