package dev.moat.filters.recipientcheck;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** One {@code verify-with-next-hop} entry: {@code smtp://host:port} (port 25 if left out). */
record VerifierEndpoint(String host, int port) {

    static final int DEFAULT_PORT = 25;

    /** @throws IllegalArgumentException saying what is wrong with the entry */
    static VerifierEndpoint parse(String entry) {
        String text = entry.trim();
        String problem = "'" + entry + "' is not a verifier such as smtp://mail.internal.example:25";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(problem);
        }
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("smtp")) {
            throw new IllegalArgumentException(problem + " (the scheme must be smtp://; the probe is plain SMTP)");
        }
        if (uri.isOpaque() || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException(problem + " (only a host and a port)");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // IPv6 literal
        } else if (!Domains.isDomain(host)) {
            throw new IllegalArgumentException(problem + " ('" + host + "' is not a host name or IP address)");
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(problem + " (port out of range)");
        }
        return new VerifierEndpoint(host, port);
    }

    @Override
    public String toString() {
        return "smtp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
