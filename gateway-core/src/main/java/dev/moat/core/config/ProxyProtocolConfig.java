package dev.moat.core.config;

import java.util.List;
import java.util.Objects;

/**
 * HAProxy PROXY protocol on one listener (YAML {@code listeners[i].proxy-protocol} and
 * {@code trusted-proxies}). When enabled, every connection must come from a trusted proxy and start
 * with a PROXY header (v1 or v2); anything else is closed without a greeting, so that no client can
 * claim another client's address.
 *
 * @param enabled whether a PROXY header is required
 * @param trustedProxies the networks the proxies connect from; not empty when enabled
 */
public record ProxyProtocolConfig(boolean enabled, List<Cidr> trustedProxies) {

    private static final ProxyProtocolConfig OFF = new ProxyProtocolConfig(false, List.of());

    public ProxyProtocolConfig {
        trustedProxies = List.copyOf(Objects.requireNonNull(trustedProxies, "trustedProxies"));
        if (enabled && trustedProxies.isEmpty()) {
            throw new IllegalArgumentException("proxy-protocol needs at least one trusted proxy");
        }
        if (!enabled && !trustedProxies.isEmpty()) {
            throw new IllegalArgumentException("trusted-proxies is only used with proxy-protocol: true");
        }
    }

    public static ProxyProtocolConfig off() {
        return OFF;
    }

    /** Whether a connection from this address may send a PROXY header. */
    public boolean trusts(java.net.InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
