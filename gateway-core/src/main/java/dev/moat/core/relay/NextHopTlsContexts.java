package dev.moat.core.relay;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.NextHopTlsMode;
import dev.moat.core.config.RouteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The client TLS contexts of the inline routes, built once at start: for {@code opportunistic} and
 * {@code required} a context that encrypts without checking the certificate (as Postfix's
 * {@code may}/{@code encrypt} levels do: a gateway to an internal MTA with a private certificate must
 * still encrypt); for {@code verify} one that checks the chain against the route's trust file (or the
 * JVM's trust store) — the host name is checked by the connection.
 */
public final class NextHopTlsContexts {

    private final Map<RouteConfig, SSLContext> contexts = new IdentityHashMap<>();

    public NextHopTlsContexts(List<RouteConfig> routes) {
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig route = routes.get(i);
            if (route.tls().mode() != NextHopTlsMode.NONE && !route.nextHops().isEmpty()) {
                contexts.put(route, build(route, "routes[" + i + "].tls"));
            }
        }
    }

    SSLContext contextFor(RouteConfig route) {
        SSLContext context = contexts.get(route);
        if (context == null) {
            throw new IllegalStateException("no TLS context for route " + route.name());
        }
        return context;
    }

    private static SSLContext build(RouteConfig route, String keyPath) {
        try {
            TrustManager[] trust;
            if (route.tls().mode() == NextHopTlsMode.VERIFY) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                if (route.tls().trustFile().isPresent()) {
                    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                    store.load(null, null);
                    try (InputStream in = Files.newInputStream(route.tls().trustFile().get())) {
                        int n = 0;
                        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                            store.setCertificateEntry("ca-" + n++, c);
                        }
                        if (n == 0) {
                            throw new ConfigException(keyPath + ".trust-file", "no PEM certificate in " + route.tls().trustFile().get());
                        }
                    }
                    tmf.init(store);
                } else {
                    tmf.init((KeyStore) null);
                }
                trust = tmf.getTrustManagers();
            } else {
                trust = new TrustManager[] {new EncryptOnlyTrustManager()};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(keyPath, "cannot set up TLS for this route: " + e.getMessage());
        }
    }

    /** Accepts any certificate: encryption against passive listeners, by the route's explicit choice. */
    private static final class EncryptOnlyTrustManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
