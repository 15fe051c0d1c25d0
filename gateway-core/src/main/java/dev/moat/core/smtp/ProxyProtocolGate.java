package dev.moat.core.smtp;

import dev.moat.core.config.ProxyProtocolConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front of a {@code proxy-protocol: true} listener's pipeline, after Netty's
 * {@link HAProxyMessageDecoder} (v1 and v2). A connection from an address outside
 * {@code trusted-proxies} is closed at once; a trusted one must send a valid PROXY header within the
 * timeout, or it is closed. Nothing is sent to either: no greeting before the real client is known.
 * Once the header is read, the client address is recorded ({@link ClientAddress}), the SMTP session
 * handlers are installed behind this gate and told the connection is active, and the gate leaves the
 * pipeline. {@code LOCAL} headers (a proxy's health check) keep the proxy's own address; UDP and Unix
 * socket addresses are refused. James's own PROXY handling (whose {@code getProxyInformation()} throws
 * when no header came) is not used. One instance per channel.
 */
final class ProxyProtocolGate extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolGate.class);

    /** Name of Netty's decoder in the pipeline, in front of the gate. */
    static final String DECODER = "proxyDecoder";

    private final ProxyProtocolConfig config;
    private final Duration timeout;
    private final Consumer<Channel> installSession;
    private final Counter refusedUntrusted;
    private final Counter refusedHeader;
    private ScheduledFuture<?> deadline;
    private boolean done;

    ProxyProtocolGate(ProxyProtocolConfig config, Duration timeout, Consumer<Channel> installSession,
            Counter refusedUntrusted, Counter refusedHeader) {
        this.config = config;
        this.timeout = timeout;
        this.installSession = installSession;
        this.refusedUntrusted = refusedUntrusted;
        this.refusedHeader = refusedHeader;
    }

    /** The refusal counters of one listener: {@code moat_smtp_proxy_refused_total{listener,reason}}. */
    static Counter refusals(MeterRegistry registry, String listener, String reason) {
        return Counter.builder("moat.smtp.proxy.refused")
                .description("Connections closed by the PROXY-protocol gate: from an untrusted address, or without a valid header")
                .tags("listener", listener, "reason", reason).register(registry);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        if (peer == null || peer.getAddress() == null || !config.trusts(peer.getAddress())) {
            refusedUntrusted.increment();
            LOG.debug("Closing connection from {}: not a trusted proxy", peer);
            done = true;
            ctx.close();
            return;
        }
        deadline = ctx.executor().schedule(() -> {
            if (!done) {
                refusedHeader.increment();
                LOG.info("Closing connection from proxy {}: no PROXY header within {}", peer, timeout);
                done = true;
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        // channelActive is held back: the session starts once the real client is known
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof HAProxyMessage header)) {
            ReferenceCountUtil.release(msg);
            refuse(ctx, "data before the PROXY header");
            return;
        }
        InetSocketAddress client;
        try {
            client = clientOf(header, (InetSocketAddress) ctx.channel().remoteAddress());
        } finally {
            header.release();
        }
        if (client == null) {
            refuse(ctx, "unsupported PROXY header (only TCP over IPv4/IPv6, or LOCAL)");
            return;
        }
        done = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        Channel channel = ctx.channel();
        channel.attr(ClientAddress.PROXIED).set(client);
        installSession.accept(channel);
        ctx.pipeline().remove(this);
        // The handlers behind the gate now learn of the connection; bytes after the header follow
        // once the decoder removes itself.
        channel.pipeline().fireChannelActive();
    }

    private static InetSocketAddress clientOf(HAProxyMessage header, InetSocketAddress peer) {
        if (header.command() == HAProxyCommand.LOCAL) {
            return peer;
        }
        HAProxyProxiedProtocol protocol = header.proxiedProtocol();
        if (protocol != HAProxyProxiedProtocol.TCP4 && protocol != HAProxyProxiedProtocol.TCP6) {
            return null;
        }
        try {
            // a literal address: no name lookup happens
            return new InetSocketAddress(InetAddress.getByName(header.sourceAddress()), header.sourcePort());
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        refusedHeader.increment();
        LOG.info("Closing connection from proxy {}: {}", ctx.channel().remoteAddress(), reason);
        done = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            refuse(ctx, "invalid PROXY header (" + cause.getClass().getSimpleName() + ")");
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
