package dev.moat.core.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * STARTTLS policy of an inline route. For {@code verify}, {@code trustFile} (PEM CA certificates; the
 * JVM's trust store when absent) and {@code expectedName} (the name the certificate must carry; the
 * next hop's host when absent).
 */
public record NextHopTls(NextHopTlsMode mode, Optional<Path> trustFile, Optional<String> expectedName) {

    public NextHopTls {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(trustFile, "trustFile");
        Objects.requireNonNull(expectedName, "expectedName");
    }

    public static NextHopTls opportunistic() {
        return new NextHopTls(NextHopTlsMode.OPPORTUNISTIC, Optional.empty(), Optional.empty());
    }
}
