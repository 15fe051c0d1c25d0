package dev.moat.filters.relayrules;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of IPv4 and IPv6 networks in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}; a
 * bare address is a single host). An IPv4-mapped IPv6 client address ({@code ::ffff:192.0.2.1})
 * matches the IPv4 networks. Immutable and thread-safe.
 */
final class TrustedNetworks {

    private record Network(byte[] prefix, int bits) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    private final List<Network> networks;

    private TrustedNetworks(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /**
     * Parses the {@code trusted-networks} entries. Host bits set below the prefix length
     * ({@code 192.168.1.5/16}) are refused, since such an entry is usually a typo.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    static TrustedNetworks parse(List<String> entries) {
        List<Network> networks = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim();
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            byte[] address = parseIp(host);
            if (address == null) {
                throw new IllegalArgumentException("'" + raw + "' is not an IP address or network such as 192.0.2.0/24 or 2001:db8::/32");
            }
            int max = address.length * 8;
            int bits = max;
            if (slash >= 0) {
                String length = entry.substring(slash + 1);
                if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > max) {
                    throw new IllegalArgumentException("'" + raw + "': the prefix length must be 0 to " + max);
                }
                bits = Integer.parseInt(length);
            }
            Network network = new Network(address, bits);
            byte[] masked = mask(address, bits);
            if (!java.util.Arrays.equals(masked, address)) {
                String base;
                try {
                    base = InetAddress.getByAddress(masked).getHostAddress();
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
                throw new IllegalArgumentException("'" + raw + "' has host bits set below /" + bits + " (did you mean " + base + "/" + bits + "?)");
            }
            networks.add(network);
        }
        return new TrustedNetworks(networks);
    }

    /** True if {@code client} is in one of the networks; false for null. */
    boolean contains(InetAddress client) {
        if (client == null) {
            return false;
        }
        byte[] address = client.getAddress();
        byte[] mapped = client instanceof Inet6Address ? ipv4Mapped(address) : null;
        for (Network n : networks) {
            if (n.contains(address) || (mapped != null && n.contains(mapped))) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Parses an IP address literal without ever using DNS; null if it is not one. */
    private static byte[] parseIp(String text) {
        if (text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') >= 0) {
            if (!text.matches("[0-9A-Fa-f:.]+")) {
                return null; // also refuses zone ids (%eth0)
            }
            try {
                return InetAddress.getByName(text).getAddress(); // a literal with ':' is parsed, never looked up
            } catch (UnknownHostException e) {
                return null;
            }
        }
        InetAddress v4 = AcceptedDomains.bareIpv4(text);
        return v4 == null ? null : v4.getAddress();
    }

    private static byte[] mask(byte[] address, int bits) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            int m = keep == 0 ? 0 : (0xFF << (8 - keep)) & 0xFF;
            out[i] = (byte) (out[i] & m);
        }
        return out;
    }

    /** The IPv4 address inside {@code ::ffff:a.b.c.d}, or null. */
    private static byte[] ipv4Mapped(byte[] v6) {
        if (v6.length != 16) {
            return null;
        }
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return null;
            }
        }
        if (v6[10] != (byte) 0xFF || v6[11] != (byte) 0xFF) {
            return null;
        }
        return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }
}
