package dev.moat.filter;

import java.util.Objects;

/** The TLS state of a connection after a successful handshake, e.g. {@code TLSv1.3} and {@code TLS_AES_128_GCM_SHA256}. */
public record TlsInfo(String protocol, String cipherSuite) {
    public TlsInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
    }
}
