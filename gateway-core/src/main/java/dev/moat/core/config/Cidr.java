package dev.moat.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IP network such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a /32 or /128.
 * IPv4-mapped IPv6 addresses ({@code ::ffff:10.0.0.1}) are compared as IPv4, as the JDK gives them.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses {@code address[/prefix]}; only IP literals are accepted (never a name, which would need DNS).
     *
     * @throws IllegalArgumentException with the reason
     */
    public static Cidr parse(String value) {
        Objects.requireNonNull(value, "value");
        int slash = value.indexOf('/');
        String host = slash < 0 ? value : value.substring(0, slash);
        if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("expected an IP address or network such as 10.0.0.0/8 or 2001:db8::/32");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("expected an IP address or network such as 10.0.0.0/8 or 2001:db8::/32");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = value.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("the prefix length must be a number from 0 to " + bits);
            }
            prefix = Integer.parseInt(p);
        }
        byte[] network = mask(address, prefix);
        return new Cidr(network, prefix, value);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
        }
        return out;
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(candidate, prefix), network);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return text;
    }
}
