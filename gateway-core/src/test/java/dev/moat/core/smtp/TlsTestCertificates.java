package dev.moat.core.smtp;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed RSA server certificate for {@code mx.test.example}, {@code localhost} and
 * {@code 127.0.0.1}, written as PEM files the way operators have them (certificate chain, unencrypted
 * PKCS#8 key), plus a client {@link SSLContext} that trusts exactly this certificate.
 */
public final class TlsTestCertificates {

    public final Path certificate;
    public final Path key;
    public final X509Certificate x509;
    public final KeyPair keyPair;

    private TlsTestCertificates(Path certificate, Path key, X509Certificate x509, KeyPair keyPair) {
        this.certificate = certificate;
        this.key = key;
        this.x509 = x509;
        this.keyPair = keyPair;
    }

    /** Generates a key pair and certificate and writes {@code cert.pem} and {@code key.pem} into {@code dir}. */
    public static TlsTestCertificates create(Path dir) throws Exception {
        return create(dir, "", "RSA", "mx.test.example", "localhost");
    }

    /**
     * A self-signed certificate of the given key type ({@code RSA} or {@code EC}) for the DNS names (the
     * first is the CN) and 127.0.0.1, written to {@code <prefix>cert.pem} and {@code <prefix>key.pem}.
     */
    public static TlsTestCertificates create(Path dir, String prefix, String keyAlgorithm, String... dnsNames) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
        generator.initialize(keyAlgorithm.equals("EC") ? 256 : 2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + dnsNames[0]);
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name, pair.getPublic());
        GeneralName[] names = new GeneralName[dnsNames.length + 1];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        int usage = keyAlgorithm.equals("EC") ? KeyUsage.digitalSignature : KeyUsage.digitalSignature | KeyUsage.keyEncipherment;
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        String signature = keyAlgorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(pair.getPrivate())));

        Path certFile = dir.resolve(prefix + "cert.pem");
        Path keyFile = dir.resolve(prefix + "key.pem");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
        // Java's private key encoding is PKCS#8 ("BEGIN PRIVATE KEY"), the form Moat requires.
        Files.writeString(keyFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        return new TlsTestCertificates(certFile, keyFile, cert, pair);
    }

    /** The same key in the traditional OpenSSL PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}), which Moat refuses. */
    Path writePkcs1Key(Path file) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(keyPair.getPrivate());
        }
        if (!text.toString().contains("BEGIN RSA PRIVATE KEY")) {
            throw new IllegalStateException("expected a PKCS#1 PEM, got " + text);
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /** A client context that trusts this certificate only. */
    public SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("moat-test", x509);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    public SSLSocketFactory socketFactory() throws Exception {
        return clientContext().getSocketFactory();
    }

    /** Layers TLS over an already connected plain socket (after STARTTLS, or for implicit TLS) and shakes hands. */
    public SSLSocket handshake(java.net.Socket plain, int port) throws Exception {
        SSLSocket ssl = (SSLSocket) socketFactory().createSocket(plain, "127.0.0.1", port, true);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        return ssl;
    }

    /** YAML for a listener named {@code test} on 127.0.0.1:0 with the given TLS mode and these files. */
    String listenerYaml(String mode) {
        return "listeners:\n"
                + "  - name: test\n"
                + "    address: 127.0.0.1:0\n"
                + "    tls:\n"
                + "      mode: " + mode + "\n"
                + "      certificate: \"" + certificate + "\"\n"
                + "      key: \"" + key + "\"\n";
    }
}
