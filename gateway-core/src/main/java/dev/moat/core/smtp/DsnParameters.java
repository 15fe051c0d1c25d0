package dev.moat.core.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The RCPT parameters of DSN (RFC 3461 §4): {@code NOTIFY=NEVER} or a list of SUCCESS, FAILURE and
 * DELAY, and {@code ORCPT=addr-type;xtext}. Checked here so that a malformed one gets {@code 501 5.5.4}
 * instead of being carried into a bounce. Stateless.
 */
final class DsnParameters {

    static final Set<String> NAMES = Set.of("NOTIFY", "ORCPT");
    private static final Set<String> NOTIFY_KEYWORDS = Set.of("SUCCESS", "FAILURE", "DELAY");

    private DsnParameters() {
    }

    /**
     * The DSN parameters of one RCPT, normalised (NOTIFY upper-cased); empty if one is malformed.
     * Parameters other than NOTIFY and ORCPT are left out.
     */
    static Optional<Map<String, String>> parse(Map<String, String> parameters) {
        Map<String, String> result = new LinkedHashMap<>();
        String notify = parameters.get("NOTIFY");
        if (notify != null) {
            String n = notify.toUpperCase(Locale.ROOT);
            if (!n.equals("NEVER")) {
                String[] words = n.split(",", -1);
                Set<String> seen = new java.util.HashSet<>();
                for (String w : words) {
                    if (!NOTIFY_KEYWORDS.contains(w) || !seen.add(w)) {
                        return Optional.empty();
                    }
                }
            }
            result.put("NOTIFY", n);
        }
        String orcpt = parameters.get("ORCPT");
        if (orcpt != null) {
            int semicolon = orcpt.indexOf(';');
            if (semicolon < 1 || !isXtext(orcpt, 500) || !orcpt.substring(0, semicolon).matches("[A-Za-z0-9-]+")) {
                return Optional.empty();
            }
            result.put("ORCPT", orcpt);
        }
        return Optional.of(result);
    }

    /** RFC 3461 §4 xtext: printable ASCII except '=' and space, with {@code +XX} hex escapes; bounded. */
    static boolean isXtext(String value, int maxLength) {
        if (value.isEmpty() || value.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length() || !isHex(value.charAt(i + 1)) || !isHex(value.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
