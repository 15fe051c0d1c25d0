package dev.moat.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin HTTP server (YAML block {@code admin}): metrics, health and the admin API.
 *
 * @param enabled       whether the admin server runs (it needs the admin-api module on the class path)
 * @param address       where it listens; loopback by default
 * @param token         the bearer token every {@code /api/} request must carry; required when the
 *                      address is not loopback, at least 16 characters; never printed
 * @param publicMetrics whether {@code /metrics}, {@code /healthz} and {@code /readyz} are served without the token
 */
public record AdminConfig(boolean enabled, InetSocketAddress address, Optional<String> token, boolean publicMetrics) {

    public static final String DEFAULT_ADDRESS = "127.0.0.1:8025";
    public static final int MIN_TOKEN_LENGTH = 16;

    public AdminConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(token, "token");
        if (token.isPresent() && token.get().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the admin token must have at least " + MIN_TOKEN_LENGTH + " characters");
        }
        if (enabled && token.isEmpty() && !isLoopback(address)) {
            throw new IllegalArgumentException("an admin server on a non-loopback address needs a token");
        }
    }

    public static AdminConfig defaults() {
        return new AdminConfig(true, new InetSocketAddress(InetAddress.getLoopbackAddress(), 8025), Optional.empty(), true);
    }

    public static boolean isLoopback(InetSocketAddress address) {
        return address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    @Override
    public String toString() {
        return "AdminConfig[enabled=" + enabled + ", address=" + address + ", token=" + (token.isPresent() ? "****" : "none")
                + ", publicMetrics=" + publicMetrics + "]";
    }
}
