package dev.moat.core.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.ProxyInformation;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPSessionImpl;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * James's session handler, run on the worker pool (never the event loop), with Moat's checks in front
 * of James's command parsing: an overlong line or a line over {@code max-command-line-length} gets
 * {@code 500 5.5.2}, a command ended by a bare LF gets {@code 500 5.5.2}, both counted as invalid
 * commands; in DATA an overlong line is handed to the message receiver, which fails the transaction
 * at the final dot. One instance per channel.
 */
final class GatewayChannelHandler extends BasicChannelInboundHandler {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayChannelHandler.class);

    private final Encryption encryption;
    private final String hostname;
    private final int maxCommandLine;
    private final InvalidCommandLimiter invalidCommands;
    private final SmtpMetrics metrics;
    private int overrides;

    GatewayChannelHandler(SMTPProtocol protocol, Encryption encryption, String hostname, int maxCommandLine,
            InvalidCommandLimiter invalidCommands, SmtpMetrics metrics) {
        super(new SessionMdc(), protocol, encryption, false);
        this.metrics = metrics;
        this.encryption = encryption;
        this.hostname = hostname;
        this.maxCommandLine = maxCommandLine;
        this.invalidCommands = invalidCommands;
    }

    @Override
    protected ProtocolSession createSession(ChannelHandlerContext ctx) {
        GatewayTransport transport = new GatewayTransport(ctx.channel(), encryption, hostname, metrics);
        // James 3.8.1's getProxyInformation() is Optional.of(null) (an NPE) when no header was set:
        // this session answers empty instead, and carries the header's addresses when there was one.
        SMTPSessionImpl session = new SMTPSessionImpl(transport, (SMTPConfiguration) protocol.getConfiguration()) {
            @Override
            public java.util.Optional<ProxyInformation> getProxyInformation() {
                java.net.InetSocketAddress proxied = ctx.channel().attr(ClientAddress.PROXIED).get();
                return proxied == null ? java.util.Optional.empty()
                        : java.util.Optional.of(new ProxyInformation(proxied, (java.net.InetSocketAddress) ctx.channel().localAddress()));
            }
        };
        return session;
    }

    /**
     * Frames that arrived while a reply is held back ({@link #hold}); replayed in order once it is
     * written. Only touched on this channel's session executor.
     */
    private final java.util.ArrayDeque<Object> heldFrames = new java.util.ArrayDeque<>();
    private boolean holding;

    /**
     * Answers {@code response} after {@code delay} without holding a thread: until then the
     * connection's further commands wait here, in order, and read back-pressure applies as usual.
     * Call from this channel's session executor (from a command handler, which then returns null).
     */
    void hold(ChannelHandlerContext ctx, ProtocolSession session, Response response, java.time.Duration delay) {
        holding = true;
        ctx.channel().eventLoop().schedule(() -> ctx.executor().execute(() -> release(ctx, session, response)),
                delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private void release(ChannelHandlerContext ctx, ProtocolSession session, Response response) {
        holding = false;
        if (!ctx.channel().isActive()) {
            discardHeld();
            return;
        }
        ((ProtocolSessionImpl) session).getProtocolTransport().writeResponse(response, session);
        while (!holding && !heldFrames.isEmpty()) {
            try {
                channelRead(ctx, heldFrames.poll());
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    private void discardHeld() {
        Object frame;
        while ((frame = heldFrames.poll()) != null) {
            ReferenceCountUtil.release(frame);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discardHeld();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (holding) {
            heldFrames.add(msg); // counted in flight until replayed, so reading still pauses at the high-water mark
            return;
        }
        ConnectionState state = ConnectionState.of(ctx.channel());
        try {
            if (state.closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ProtocolSession session = ctx.channel().attr(SESSION_ATTRIBUTE_KEY).get() instanceof ProtocolSession s ? s : null;
            if (session == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            // James sets its log context only for commands; DATA lines and their delivery need it too.
            MDC.put("sessionId", session.getSessionID());
            if (msg instanceof OverlongLine overlong) {
                if (!MessageReceiver.markOverlong(session, overlong.endedByCrlf)) {
                    refuseCommand(session, "500", "5.5.2 Line too long");
                }
                return;
            }
            ByteBuf line = (ByteBuf) msg;
            state.stage = overrides == 0 ? commandName(line) : "message";
            if (overrides == 0) {
                String problem = commandProblem(line);
                if (problem != null) {
                    if (SmtpFramer.isStartTls(line)) {
                        state.startTlsPending = false; // refused: the client may go on in plaintext
                    }
                    line.release();
                    refuseCommand(session, "500", problem);
                    return;
                }
                if (isMail(line)) {
                    // parameters of an earlier MAIL that failed after its parameters were read
                    session.removeAttachment(MailParameters.PENDING, ProtocolSession.State.Transaction);
                }
            }
            boolean startTls = SmtpFramer.isStartTls(line) && state.dataStartedNanos == 0;
            state.answeringStartTls = startTls;
            try {
                super.channelRead(ctx, msg);
            } finally {
                state.answeringStartTls = false;
            }
            if (startTls && !state.tlsStarting) {
                state.startTlsPending = false; // refused and not answered through the transport
            }
        } finally {
            MDC.remove("sessionId");
            SmtpFramer.frameDone(ctx.channel());
        }
    }

    /** The command word in lower case, for the reply metrics (the metrics bound the label set). */
    private static String commandName(ByteBuf line) {
        int start = line.readerIndex();
        int end = Math.min(line.writerIndex(), start + 8);
        StringBuilder word = new StringBuilder(8);
        for (int i = start; i < end; i++) {
            byte b = line.getByte(i);
            if (b == ' ' || b == '\r' || b == '\n') {
                break;
            }
            word.append((char) Character.toLowerCase(b & 0xFF));
        }
        return word.toString();
    }

    private static boolean isMail(ByteBuf line) {
        return line.readableBytes() >= 5
                && (line.getByte(line.readerIndex()) | 0x20) == 'm' && (line.getByte(line.readerIndex() + 1) | 0x20) == 'a'
                && (line.getByte(line.readerIndex() + 2) | 0x20) == 'i' && (line.getByte(line.readerIndex() + 3) | 0x20) == 'l'
                && line.getByte(line.readerIndex() + 4) == ' ';
    }

    private String commandProblem(ByteBuf line) {
        int length = line.readableBytes();
        if (length > maxCommandLine) {
            return "5.5.2 Line too long (at most " + maxCommandLine + " octets)";
        }
        if (length < 2 || line.getByte(line.writerIndex() - 2) != '\r') {
            return "5.5.2 Syntax error: command not terminated by CRLF";
        }
        for (int i = line.readerIndex(); i < line.writerIndex() - 2; i++) {
            byte b = line.getByte(i);
            if (b == '\r' || b == 0) {
                return "5.5.2 Syntax error: invalid character in command";
            }
        }
        return null;
    }

    private void refuseCommand(ProtocolSession session, String code, String text) {
        Response response = invalidCommands.onResponse(session, new SMTPResponse(code, text), 0, null);
        ((ProtocolSessionImpl) session).getProtocolTransport().writeResponse(response, session);
    }

    @Override
    public void pushLineHandler(ChannelInboundHandlerAdapter handler) {
        overrides++;
        super.pushLineHandler(handler);
    }

    @Override
    public void popLineHandler() {
        if (overrides > 0) {
            overrides--;
        }
        super.popLineHandler();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        // A reset connection or a failed TLS handshake (wrapped by the decoder that met it) is the
        // client's doing: a debug line, not an ERROR with a stack trace that anyone could provoke at will.
        Throwable io = cause instanceof DecoderException && cause.getCause() instanceof IOException ? cause.getCause() : cause;
        if (io instanceof IOException) {
            LOG.debug("Connection from {} failed: {}", ClientAddress.of(ctx.channel()), io.toString());
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }
}
