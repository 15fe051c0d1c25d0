package dev.moat.core.smtp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the three clocks of a connection, each answered with {@code 421 4.4.2} and a close:
 * <ul>
 *   <li>idle: nothing received for {@code idle-timeout} while Moat is not busy on the client's behalf;</li>
 *   <li>command: one command line not complete within {@code command-timeout} (a client dripping a
 *       byte at a time is not idle, but is cut off here);</li>
 *   <li>data: the whole DATA phase, from 354 to the final dot, within {@code data-timeout}.</li>
 * </ul>
 * A per-channel tick on the event loop checks them; one instance per channel.
 */
final class SessionDeadlines extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionDeadlines.class);

    private final long idleNanos;
    private final long commandNanos;
    private final long dataNanos;
    private final long tickNanos;
    private final String hostname;
    private ScheduledFuture<?> tick;

    SessionDeadlines(Duration idle, Duration command, Duration data, String hostname) {
        this.idleNanos = idle.toNanos();
        this.commandNanos = command.toNanos();
        this.dataNanos = data.toNanos();
        long shortest = Math.min(idleNanos, Math.min(commandNanos, dataNanos));
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 4));
        this.hostname = hostname;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        tick = ctx.executor().scheduleAtFixedRate(() -> check(ctx), tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (tick != null) {
            tick.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void check(ChannelHandlerContext ctx) {
        ConnectionState state = ConnectionState.of(ctx.channel());
        if (state.closing || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (state.inflight.get() > 0) {
            state.lastReadNanos = now; // Moat is working for the client; the client is not idle
            return;
        }
        long dataStarted = state.dataStartedNanos;
        long partial = state.partialLineSinceNanos;
        String reason = null;
        if (dataStarted != 0 && now - dataStarted > dataNanos) {
            reason = "DATA phase took too long";
        } else if (dataStarted == 0 && partial != 0 && now - partial > commandNanos) {
            reason = "command took too long";
        } else if (now - state.lastReadNanos > idleNanos) {
            reason = "idle for too long";
        }
        if (reason != null) {
            LOG.info("Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
            state.closing = true;
            ctx.writeAndFlush(Unpooled.copiedBuffer("421 4.4.2 " + hostname + " Error: timeout exceeded ("
                    + reason + ")\r\n", StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
