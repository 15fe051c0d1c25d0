package dev.moat.core.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One next hop of an inline route: the internal MTA's host and port. Written {@code smtp://host:port},
 * {@code smtp://[2001:db8::1]:25} or without the scheme; the port defaults to 25.
 */
public record NextHop(String host, int port) {

    public NextHop {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535: " + port);
        }
    }

    /** Parses {@code smtp://host:port}; throws IllegalArgumentException with a reason. */
    public static NextHop parse(String text) {
        String s = text.trim();
        if (s.toLowerCase(Locale.ROOT).startsWith("smtp://")) {
            s = s.substring(7);
        } else if (s.contains("://")) {
            throw new IllegalArgumentException("only smtp:// next hops are supported");
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed [ in IPv6 address");
            }
            host = s.substring(1, close);
            if (close + 1 < s.length()) {
                if (s.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("expected :port after ]");
                }
                port = s.substring(close + 2);
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("write an IPv6 address in brackets: smtp://[2001:db8::1]:25");
            }
        }
        int p = 25;
        if (port != null) {
            if (!port.matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("'" + port + "' is not a port");
            }
            p = Integer.parseInt(port);
        }
        return new NextHop(host, p);
    }

    @Override
    public String toString() {
        return "smtp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
