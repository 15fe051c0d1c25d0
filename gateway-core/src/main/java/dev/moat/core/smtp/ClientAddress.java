package dev.moat.core.smtp;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * The client's address as Moat uses it (limits, filters, logs, Received:): the one a trusted proxy
 * gave in its PROXY header, or else the TCP peer's.
 */
final class ClientAddress {

    /** Set once per channel by {@link ProxyProtocolGate}, before any session handler runs. */
    static final AttributeKey<InetSocketAddress> PROXIED = AttributeKey.valueOf("moat.proxiedClient");

    private ClientAddress() {
    }

    static InetSocketAddress of(Channel channel) {
        InetSocketAddress proxied = channel.attr(PROXIED).get();
        return proxied != null ? proxied : (InetSocketAddress) channel.remoteAddress();
    }
}
