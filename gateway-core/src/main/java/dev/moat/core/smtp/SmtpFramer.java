package dev.moat.core.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * Splits the client's byte stream into lines, each passed on with its line ending (so the session
 * side can tell CRLF from a bare LF). Runs on the event loop; replaces James's framers because
 * <ul>
 *   <li>a line over the hard limit must not be dropped silently: it becomes {@link OverlongLine};</li>
 *   <li>STARTTLS injection: bytes after a STARTTLS line, until TLS is active, are discarded;</li>
 *   <li>the session side runs on a worker pool, so reading pauses while too many lines wait for it.</li>
 * </ul>
 * One instance per channel.
 */
final class SmtpFramer extends ByteToMessageDecoder {

    /** Lines handed over and not yet processed before reading pauses (about 256 KiB at most). */
    static final int HIGH_WATER = 256;
    static final int LOW_WATER = 64;

    private static final byte[] STARTTLS = "STARTTLS".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final int maxLine;
    private boolean discardingOverlong;
    /** The last byte discarded of an overlong line, to tell whether it ended with CRLF. */
    private byte lastDiscarded;

    /** @param maxLine the longest line, line ending included, that is passed on whole */
    SmtpFramer(int maxLine) {
        this.maxLine = maxLine;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        ConnectionState state = ConnectionState.of(ctx.channel());
        state.lastReadNanos = System.nanoTime();
        if (state.startTlsPending && ctx.pipeline().get(SslHandler.class) == null) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (state.startTlsPending) {
            state.startTlsPending = false;
        }
        while (in.isReadable()) {
            int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (eol < 0) {
                if (discardingOverlong || in.readableBytes() > maxLine) {
                    discardingOverlong = true;
                    lastDiscarded = in.getByte(in.writerIndex() - 1);
                    in.skipBytes(in.readableBytes());
                }
                break;
            }
            int length = eol - in.readerIndex() + 1;
            if (discardingOverlong || length > maxLine) {
                boolean crlf = length >= 2 ? in.getByte(eol - 1) == '\r' : lastDiscarded == '\r';
                discardingOverlong = false;
                in.skipBytes(length);
                emit(ctx, state, out, crlf ? OverlongLine.ENDED_BY_CRLF : OverlongLine.ENDED_BY_LF);
                continue;
            }
            ByteBuf line = in.readRetainedSlice(length);
            emit(ctx, state, out, line);
            // Only a command can be STARTTLS; inside DATA the same text is message content.
            if (state.dataStartedNanos == 0 && isStartTls(line)) {
                state.startTlsPending = true;
                state.tlsStarting = false;
                in.skipBytes(in.readableBytes()); // pipelined after STARTTLS: never executed
                break;
            }
        }
        state.partialLineSinceNanos = in.isReadable() || discardingOverlong
                ? (state.partialLineSinceNanos == 0 ? System.nanoTime() : state.partialLineSinceNanos)
                : 0;
    }

    private void emit(ChannelHandlerContext ctx, ConnectionState state, List<Object> out, Object frame) {
        out.add(frame);
        if (state.inflight.incrementAndGet() >= HIGH_WATER && ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** {@code STARTTLS} alone on the line, any case, CRLF or LF, trailing spaces allowed. */
    static boolean isStartTls(ByteBuf line) {
        int start = line.readerIndex();
        int end = line.writerIndex();
        while (end > start && (line.getByte(end - 1) == '\n' || line.getByte(end - 1) == '\r' || line.getByte(end - 1) == ' ')) {
            end--;
        }
        if (end - start != STARTTLS.length) {
            return false;
        }
        for (int i = 0; i < STARTTLS.length; i++) {
            if (Character.toUpperCase(line.getByte(start + i)) != STARTTLS[i]) {
                return false;
            }
        }
        return true;
    }

    /** Called by the session side after each frame: resumes reading once the backlog has drained. */
    static void frameDone(io.netty.channel.Channel channel) {
        ConnectionState state = ConnectionState.of(channel);
        if (state.inflight.decrementAndGet() <= LOW_WATER && !channel.config().isAutoRead() && !state.closing) {
            channel.config().setAutoRead(true);
        }
    }
}
