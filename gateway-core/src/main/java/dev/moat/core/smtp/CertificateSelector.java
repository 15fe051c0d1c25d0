package dev.moat.core.smtp;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the certificate of a TLS handshake among the listener's pairs: one whose key suits the
 * handshake (RSA or EC), preferring one whose DNS names match the name the client asked for with SNI,
 * else the first suitable pair in configuration order. The pairs can be replaced as a whole
 * ({@link #swap}); an alias names its generation, so a handshake that chose before a swap still gets
 * the chain and key it chose. Thread-safe.
 *
 * <p>The client's SNI name is captured by {@link SniCapture}, an {@link SNIMatcher} set on each
 * engine: the JDK calls it while reading the ClientHello, before the key is chosen.
 */
final class CertificateSelector extends X509ExtendedKeyManager {

    private record Generation(int id, List<TlsContexts.KeyAndChain> pairs) {
    }

    private volatile Generation current;
    private volatile Generation previous;

    CertificateSelector(List<TlsContexts.KeyAndChain> pairs) {
        this.current = new Generation(0, List.copyOf(pairs));
        this.previous = current;
    }

    /** The leaf certificate's end of validity of pair {@code index} now in use (epoch seconds), or NaN. */
    double notAfter(int index) {
        List<TlsContexts.KeyAndChain> pairs = current.pairs();
        if (index >= pairs.size() || !(pairs.get(index).chain()[0] instanceof X509Certificate leaf)) {
            return Double.NaN;
        }
        return leaf.getNotAfter().getTime() / 1000.0;
    }

    synchronized void swap(List<TlsContexts.KeyAndChain> pairs) {
        previous = current;
        current = new Generation(current.id() + 1, List.copyOf(pairs));
    }

    /** Records the host name a client asks for (RFC 6066 server_name); accepts every name. */
    static final class SniCapture extends SNIMatcher {
        private volatile String hostName;

        SniCapture() {
            super(StandardConstants.SNI_HOST_NAME);
        }

        @Override
        public boolean matches(SNIServerName serverName) {
            try {
                hostName = (serverName instanceof SNIHostName h ? h : new SNIHostName(serverName.getEncoded()))
                        .getAsciiName().toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                hostName = null;
            }
            return true; // an unknown name gets the default certificate, not an alert
        }

        Optional<String> hostName() {
            return Optional.ofNullable(hostName);
        }
    }

    private static Optional<String> requestedName(SSLEngine engine) {
        if (engine == null) {
            return Optional.empty();
        }
        for (SNIMatcher matcher : engine.getSSLParameters().getSNIMatchers()) {
            if (matcher instanceof SniCapture capture) {
                return capture.hostName();
            }
        }
        return Optional.empty();
    }

    private static boolean suits(TlsContexts.KeyAndChain pair, String keyType) {
        String algorithm = pair.key().getAlgorithm();
        return switch (keyType) {
            case "RSA", "RSASSA-PSS" -> algorithm.equals("RSA");
            case "EC", "EC_EC", "EC_RSA" -> algorithm.equals("EC");
            default -> algorithm.equalsIgnoreCase(keyType);
        };
    }

    static boolean matchesName(X509Certificate certificate, String name) {
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (alternatives == null) {
            return false;
        }
        for (List<?> entry : alternatives) {
            if (entry.size() < 2 || !Integer.valueOf(2).equals(entry.get(0)) || !(entry.get(1) instanceof String dns)) {
                continue;
            }
            String pattern = dns.toLowerCase(Locale.ROOT);
            if (pattern.equals(name)) {
                return true;
            }
            if (pattern.startsWith("*.")) {
                int dot = name.indexOf('.');
                if (dot > 0 && name.substring(dot + 1).equals(pattern.substring(2))) {
                    return true;
                }
            }
        }
        return false;
    }

    private String choose(String keyType, SSLEngine engine) {
        Generation g = current;
        Optional<String> name = requestedName(engine);
        int fallback = -1;
        for (int i = 0; i < g.pairs().size(); i++) {
            TlsContexts.KeyAndChain pair = g.pairs().get(i);
            if (!suits(pair, keyType)) {
                continue;
            }
            if (name.isPresent() && pair.chain()[0] instanceof X509Certificate x509 && matchesName(x509, name.get())) {
                return g.id() + ":" + i;
            }
            if (fallback < 0) {
                fallback = i;
            }
        }
        return fallback < 0 ? null : g.id() + ":" + fallback;
    }

    private TlsContexts.KeyAndChain resolve(String alias) {
        int colon = alias == null ? -1 : alias.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            int id = Integer.parseInt(alias.substring(0, colon));
            int index = Integer.parseInt(alias.substring(colon + 1));
            for (Generation g : new Generation[] {current, previous}) {
                if (g.id() == id && index >= 0 && index < g.pairs().size()) {
                    return g.pairs().get(index);
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        Generation g = current;
        List<String> aliases = new ArrayList<>();
        for (int i = 0; i < g.pairs().size(); i++) {
            if (suits(g.pairs().get(i), keyType)) {
                aliases.add(g.id() + ":" + i);
            }
        }
        return aliases.isEmpty() ? null : aliases.toArray(String[]::new);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsContexts.KeyAndChain pair = resolve(alias);
        if (pair == null) {
            return null;
        }
        X509Certificate[] chain = new X509Certificate[pair.chain().length];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = (X509Certificate) pair.chain()[i];
        }
        return chain;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsContexts.KeyAndChain pair = resolve(alias);
        return pair == null ? null : pair.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null; // a server only
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
