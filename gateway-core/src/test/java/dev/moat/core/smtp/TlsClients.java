package dev.moat.core.smtp;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** TLS clients for the certificate tests: trust chosen certificates, pick SNI, versions and suites. */
final class TlsClients {

    private TlsClients() {
    }

    /** A client context trusting exactly these certificates. */
    static SSLContext trusting(TlsTestCertificates... certs) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < certs.length; i++) {
            trust.setCertificateEntry("c" + i, certs[i].x509);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * Connects to an implicit-TLS port and shakes hands.
     *
     * @param sni the server name to ask for, or null for none
     * @param protocols the versions to offer, or null for the client's defaults
     * @param suites the cipher suites to offer, in order, or null for the client's defaults
     */
    static SSLSocket connect(SSLContext context, int port, String sni, List<String> protocols, List<String> suites)
            throws Exception {
        Socket plain = new Socket("127.0.0.1", port);
        plain.setSoTimeout(10_000);
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        ssl.setUseClientMode(true);
        SSLParameters parameters = ssl.getSSLParameters();
        if (sni != null) {
            parameters.setServerNames(List.of(new SNIHostName(sni)));
        }
        if (protocols != null) {
            parameters.setProtocols(protocols.toArray(String[]::new));
        }
        if (suites != null) {
            parameters.setCipherSuites(suites.toArray(String[]::new));
        }
        ssl.setSSLParameters(parameters);
        try {
            ssl.startHandshake();
        } catch (Exception e) {
            ssl.close();
            throw e;
        }
        return ssl;
    }

    /** The leaf certificate the server presented. */
    static X509Certificate served(SSLSocket socket) throws Exception {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
}
