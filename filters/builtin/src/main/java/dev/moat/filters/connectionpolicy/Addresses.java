package dev.moat.filters.connectionpolicy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * IP address and syntax helpers of the connection-policy filter. Nothing here does DNS: text is only
 * turned into an address when it is an IP literal.
 */
final class Addresses {

    private Addresses() {
    }

    /** A network in CIDR notation, {@code 192.0.2.0/24} or {@code 2001:db8::/32}. */
    record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }

        /** Parses {@code address[/prefix]}; null if it is not one. The host bits are cleared. */
        static Cidr parse(String text) {
            String t = text.strip();
            int slash = t.indexOf('/');
            byte[] address = ip(slash < 0 ? t : t.substring(0, slash));
            if (address == null) {
                return null;
            }
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String p = t.substring(slash + 1);
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null;
                }
                prefix = Integer.parseInt(p);
                if (prefix > bits) {
                    return null;
                }
            }
            return new Cidr(mask(address, prefix), prefix);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }
    }

    /** The address with all bits after {@code prefix} cleared. */
    static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int bit = prefix; bit < out.length * 8; bit++) {
            out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return out;
    }

    /** An IPv4 dotted quad or an IPv6 address as raw bytes (4 or 16), or null; never DNS. */
    static byte[] ip(String text) {
        byte[] v4 = ipv4(text);
        return v4 != null ? v4 : ipv6(text);
    }

    /** A strict dotted quad (four decimal numbers 0 to 255, no leading zeros beyond one digit), or null. */
    static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int value = Integer.parseInt(p);
            if (value > 255) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    /** An IPv6 address (with an optional embedded IPv4 tail) as 16 bytes, or null; never DNS. */
    static byte[] ipv6(String text) {
        if (text.isEmpty() || text.length() > 45 || text.indexOf(':') < 0 || text.charAt(0) == '.') {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return null;
            }
        }
        try {
            // Only hex digits, ':' and '.': the JDK parses this as a literal and never asks DNS.
            InetAddress address = InetAddress.getByName(text);
            byte[] bytes = address.getAddress();
            if (bytes.length == 4) {
                // an IPv4-mapped IPv6 literal (::ffff:a.b.c.d): keep it IPv6 as written
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            return bytes;
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The address a client is counted under: an IPv4 address as itself (also when it arrives
     * IPv4-mapped), an IPv6 address by its first {@code ipv6Prefix} bits.
     */
    static byte[] normalize(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(bytes)) {
            return Arrays.copyOfRange(bytes, 12, 16);
        }
        return bytes;
    }

    static String clientKey(byte[] address, int ipv6Prefix) {
        if (address.length == 4) {
            try {
                return Inet4Address.getByAddress(address).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return InetAddress.getByAddress(mask(address, ipv6Prefix)).getHostAddress() + "/" + ipv6Prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isV4Mapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    // ---------------------------------------------------------------------------------------------
    // Syntax

    /**
     * A host name as HELO and MAIL FROM give it: labels of letters, digits, hyphens (not first or
     * last) and underscores (common on real hosts, accepted as Postfix does), 1 to 63 characters each,
     * at most 255 in all, no trailing dot, and a last label that is not all digits.
     */
    static boolean isHostname(String name) {
        if (name.isEmpty() || name.length() > 255) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                    return false;
                }
            }
        }
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** The bytes of an address literal {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}, or null. */
    static byte[] addressLiteral(String text) {
        if (text.length() < 3 || text.charAt(0) != '[' || text.charAt(text.length() - 1) != ']') {
            return null;
        }
        String inner = text.substring(1, text.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            return ipv6(inner.substring(5));
        }
        return ipv4(inner);
    }

    /** RFC 5321 §4.1.2 Local-part: a Dot-string of atext, or a Quoted-string; at most 64 octets. */
    static boolean isLocalPart(String local) {
        if (local.isEmpty() || local.length() > 64) {
            return false;
        }
        if (local.charAt(0) == '"') {
            if (local.length() < 2 || local.charAt(local.length() - 1) != '"') {
                return false;
            }
            for (int i = 1; i < local.length() - 1; i++) {
                char c = local.charAt(i);
                if (c == '\\') {
                    i++;
                    if (i >= local.length() - 1 || local.charAt(i) < 32 || local.charAt(i) > 126) {
                        return false;
                    }
                } else if (c < 32 || c > 126 || c == '"') {
                    return false;
                }
            }
            return true;
        }
        if (local.charAt(0) == '.' || local.charAt(local.length() - 1) == '.' || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            boolean atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0;
            if (!atext) {
                return false;
            }
        }
        return true;
    }

    /** A fully qualified domain (two labels at least) or an address literal. */
    static boolean isMailDomain(String domain) {
        if (domain.startsWith("[")) {
            return addressLiteral(domain) != null;
        }
        return domain.indexOf('.') > 0 && isHostname(domain);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
