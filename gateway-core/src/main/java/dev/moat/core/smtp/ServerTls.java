package dev.moat.core.smtp;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.TlsConfig;
import dev.moat.core.config.TlsMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;
import org.apache.james.protocols.api.ClientAuth;
import org.apache.james.protocols.netty.Encryption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one listener, in place of James's {@code Encryption}:
 * <ul>
 *   <li>TLS 1.3 and 1.2 only, a cipher list of AEAD suites with forward secrecy, and the server's
 *       order of preference (no CBC, RC4, 3DES, export or NULL suites; Java has no TLS compression);</li>
 *   <li>any number of PEM certificate/key pairs at once: {@link CertificateSelector} picks one by key
 *       type (an ECDSA and an RSA certificate side by side) and by the name the client asked for (SNI);</li>
 *   <li>{@link #reloadIfChanged()} re-reads the files when they change, so that a renewed certificate
 *       is served without a restart; a new set that does not load (unreadable, not PEM, key not
 *       matching) is not used — the previous certificates stay, the error is logged and counted in
 *       {@code moat_tls_certificate_reloads_total{result="failure"}}.</li>
 * </ul>
 * Thread-safe: handshakes read the current key manager through one volatile reference.
 */
final class ServerTls implements Encryption {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    /** The protocol versions offered, newest first. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * AEAD suites with forward secrecy, strongest first (Mozilla's "intermediate" profile without the
     * finite-field DHE suites). TLS 1.3 suites are all AEAD.
     */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    private final String listener;
    private final TlsConfig config;
    private final String keyPath;
    private final boolean startTls;
    private final SSLContext context;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final CertificateSelector keyManager;
    private final Counter reloadSuccess;
    private final Counter reloadFailure;
    /** Modification time and size of every file, as last loaded or last tried. */
    private List<String> fingerprint;

    /**
     * Loads the certificates now.
     *
     * @param keyPath the configuration key of the TLS block, for errors
     * @throws ConfigException when the files do not make a usable TLS setup
     */
    ServerTls(String listener, TlsConfig config, String keyPath, MeterRegistry registry) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("TLS is off for listener " + listener);
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = config;
        this.keyPath = keyPath;
        this.startTls = config.mode() == TlsMode.STARTTLS;
        this.fingerprint = fingerprint();
        this.keyManager = new CertificateSelector(load());
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keyManager}, null, null);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(keyPath, "cannot set up TLS: " + e.getMessage());
        }
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        this.cipherSuites = CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
        Set<String> supportedProtocols = Set.of(context.getSupportedSSLParameters().getProtocols());
        this.protocols = PROTOCOLS.stream().filter(supportedProtocols::contains).toArray(String[]::new);
        for (int i = 0; i < config.allCertificates().size(); i++) {
            int index = i;
            Gauge.builder("moat.tls.certificate.expiry", keyManager, k -> k.notAfter(index))
                    .description("When the certificate in use expires (its notAfter), per listener and certificate"
                            + " (0 = the main one, 1.. = additional-certificates in order)")
                    .baseUnit("timestamp_seconds")
                    .tags("listener", listener, "certificate", Integer.toString(index)).register(registry);
        }
        this.reloadSuccess = Counter.builder("moat.tls.certificate.reloads")
                .description("Certificate reloads after the files changed, by result (a failure keeps the previous certificates)")
                .tags("listener", listener, "result", "success").register(registry);
        this.reloadFailure = Counter.builder("moat.tls.certificate.reloads")
                .description("Certificate reloads after the files changed, by result (a failure keeps the previous certificates)")
                .tags("listener", listener, "result", "failure").register(registry);
    }

    /** Reads every configured pair, each checked as at start-up. */
    private List<TlsContexts.KeyAndChain> load() {
        List<TlsContexts.KeyAndChain> pairs = new ArrayList<>();
        List<TlsConfig.CertificateFiles> files = config.allCertificates();
        for (int i = 0; i < files.size(); i++) {
            String path = i == 0 ? keyPath : keyPath + ".additional-certificates[" + (i - 1) + "]";
            pairs.add(TlsContexts.read(files.get(i).certificate(), files.get(i).key(), path));
        }
        return pairs;
    }

    private List<String> fingerprint() {
        List<String> parts = new ArrayList<>();
        for (TlsConfig.CertificateFiles pair : config.allCertificates()) {
            for (Path file : List.of(pair.certificate(), pair.key())) {
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    parts.add(file + "@" + a.lastModifiedTime().toMillis() + "/" + a.size());
                } catch (IOException e) {
                    parts.add(file + "@missing");
                }
            }
        }
        return parts;
    }

    /**
     * Loads the files again if any changed since the last load or attempt. Called periodically from
     * one thread.
     *
     * @return whether new certificates are now in use
     */
    synchronized boolean reloadIfChanged() {
        List<String> now = fingerprint();
        if (now.equals(fingerprint)) {
            return false;
        }
        fingerprint = now; // a broken set is reported once, and tried again when the files change again
        try {
            keyManager.swap(load());
        } catch (RuntimeException e) {
            reloadFailure.increment();
            LOG.error("Listener '{}': the changed certificate files cannot be used, keeping the previous certificates: {}",
                    listener, e.getMessage());
            return false;
        }
        // Sessions of the old certificates must not be resumed with them.
        SSLSessionContext sessions = context.getServerSessionContext();
        for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
            var session = sessions.getSession(ids.nextElement());
            if (session != null) {
                session.invalidate();
            }
        }
        reloadSuccess.increment();
        LOG.info("Listener '{}': reloaded its certificates", listener);
        return true;
    }

    /** How often the files should be checked; zero means never. */
    java.time.Duration reloadInterval() {
        return config.reloadInterval();
    }

    @Override
    public boolean isStartTLS() {
        return startTls;
    }

    @Override
    public boolean supportsEncryption() {
        return true;
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return cipherSuites.clone();
    }

    @Override
    public ClientAuth getClientAuth() {
        return ClientAuth.NONE;
    }

    @Override
    public SslHandler sslHandler() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols.clone());
        parameters.setCipherSuites(cipherSuites.clone());
        parameters.setUseCipherSuitesOrder(true);
        parameters.setNeedClientAuth(false);
        parameters.setSNIMatchers(List.of(new CertificateSelector.SniCapture()));
        engine.setSSLParameters(parameters);
        return new SslHandler(engine);
    }

    @Override
    public String toString() {
        return "ServerTls[" + listener + ", " + Arrays.toString(protocols) + ", " + Collections.unmodifiableList(Arrays.asList(cipherSuites)) + "]";
    }
}
