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
 * @param tls           HTTPS instead of HTTP: the server's certificate chain and private key (PEM files)
 */
public record AdminConfig(boolean enabled, InetSocketAddress address, Optional<String> token, boolean publicMetrics,
        Optional<Tls> tls) {

    /** The admin server's certificate chain and unencrypted PKCS#8 private key, PEM files as for listeners. */
    public record Tls(java.nio.file.Path certificate, java.nio.file.Path key) {
        public Tls {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    /** Plain HTTP. */
    public AdminConfig(boolean enabled, InetSocketAddress address, Optional<String> token, boolean publicMetrics) {
        this(enabled, address, token, publicMetrics, Optional.empty());
    }

    public static final String DEFAULT_ADDRESS = "127.0.0.1:8025";
    public static final int MIN_TOKEN_LENGTH = 16;

    public AdminConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(tls, "tls");
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
                + ", publicMetrics=" + publicMetrics + ", tls=" + tls.map(Tls::toString).orElse("none") + "]";
    }
}
