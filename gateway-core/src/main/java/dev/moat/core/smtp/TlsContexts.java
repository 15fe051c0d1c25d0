package dev.moat.core.smtp;

import dev.moat.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;

/**
 * Builds a server {@link SSLContext} from PEM files as operators have them (certbot's
 * {@code fullchain.pem} and an unencrypted PKCS#8 {@code privkey.pem}). Problems are config errors
 * naming the key and the reason.
 */
public final class TlsContexts {

    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private TlsContexts() {
    }

    /** A private key with its certificate chain, leaf first, checked to belong together. */
    public record KeyAndChain(PrivateKey key, Certificate[] chain) {
    }

    /** An SSL context over one certificate/key pair (checks at start-up). */
    public static SSLContext serverContext(Path certificate, Path key, String keyPath) {
        X509ExtendedKeyManager manager = keyManager(List.of(read(certificate, key, keyPath)), keyPath);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {manager}, null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException(keyPath, "the certificate and key do not make a TLS context: " + e.getMessage());
        }
    }

    /** Reads and checks one PEM chain and its key. */
    public static KeyAndChain read(Path certificate, Path key, String keyPath) {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certificate)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new ConfigException(keyPath + ".certificate", "no PEM certificate in " + certificate);
            }
            chain = certs.toArray(new Certificate[0]);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(keyPath + ".certificate", "cannot read a PEM certificate from " + certificate + ": " + e.getMessage());
        }
        PrivateKey privateKey = readKey(key, keyPath + ".key");
        requireMatch(privateKey, chain[0], keyPath + ".key");
        return new KeyAndChain(privateKey, chain);
    }

    /**
     * A key manager over several pairs. The PKIX key manager chooses among them by the key type the
     * handshake needs (RSA, EC) and prefers a certificate whose names match the client's SNI name.
     */
    public static X509ExtendedKeyManager keyManager(List<KeyAndChain> pairs, String keyPath) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            for (int i = 0; i < pairs.size(); i++) {
                store.setKeyEntry("moat-" + i, pairs.get(i).key(), password, pairs.get(i).chain());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(store, password);
            for (KeyManager manager : kmf.getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager x509) {
                    return x509;
                }
            }
            throw new ConfigException(keyPath, "no X.509 key manager available");
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(keyPath, "the certificate and key do not make a TLS context: " + e.getMessage());
        }
    }

    /** A key that does not belong to the certificate would fail every handshake: refuse it at start. */
    private static void requireMatch(PrivateKey key, Certificate certificate, String keyPath) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        try {
            byte[] probe = "moat key check".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's lands here too
        }
        throw new ConfigException(keyPath, "the key does not belong to the first certificate of the certificate file");
    }

    private static PrivateKey readKey(Path file, String keyPath) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException(keyPath, "cannot read " + file + ": " + e.getMessage());
        }
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            throw new ConfigException(keyPath, file + " has no unencrypted PKCS#8 key ('BEGIN PRIVATE KEY'); convert it with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem'");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // try the next algorithm
            }
        }
        throw new ConfigException(keyPath, file + " holds a key of an unsupported type (use RSA, EC or Ed25519)");
    }
}
