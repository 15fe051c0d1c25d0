package dev.moat.core.smtp;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Puts an RFC 3463 enhanced status code on every reply line that lacks one (RFC 2034 §3: once
 * ENHANCEDSTATUSCODES is advertised, every 2xx/4xx/5xx reply carries one). James's core handlers send
 * several replies without (535, 504, 451, 500, 521, …). The greeting, the HELO/EHLO reply and the
 * intermediate 3xx replies are left alone, as RFC 2034 exempts them.
 */
final class EnhancedStatusCodes {

    private static final Pattern HAS_CODE = Pattern.compile("^[245]\\.\\d{1,3}\\.\\d{1,3}( .*)?$", Pattern.DOTALL);

    private EnhancedStatusCodes() {
    }

    /**
     * @param reply    the reply as written: one or more lines, each ending in CRLF
     * @param hostname Moat's name; a reply whose text starts with it is the HELO/EHLO reply
     */
    static byte[] apply(byte[] reply, String hostname) {
        String text = new String(reply, StandardCharsets.US_ASCII);
        if (text.length() < 4) {
            return reply;
        }
        char kind = text.charAt(0);
        if (kind != '2' && kind != '4' && kind != '5' || text.startsWith("220")) {
            return reply;
        }
        if (text.startsWith(hostname, 4)) {
            return reply;
        }
        String code = text.substring(0, 3);
        String[] lines = text.split("\r\n", -1);
        StringBuilder out = new StringBuilder(text.length() + 16);
        boolean changed = false;
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() >= 4 && line.startsWith(code)) {
                String rest = line.substring(4);
                if (!HAS_CODE.matcher(rest).matches()) {
                    line = line.substring(0, 4) + defaultFor(code) + (rest.isEmpty() ? "" : " " + rest);
                    changed = true;
                }
            }
            out.append(line).append("\r\n");
        }
        return changed ? out.toString().getBytes(StandardCharsets.US_ASCII) : reply;
    }

    /** The enhanced code that fits a basic reply code best (RFC 3463 §3, RFC 5248). */
    static String defaultFor(String code) {
        return switch (code) {
            case "221", "250", "251", "252" -> "2.0.0";
            case "235" -> "2.7.0";
            case "421" -> "4.3.2";
            case "450", "451" -> "4.3.0";
            case "452" -> "4.3.1";
            case "454" -> "4.7.0";
            case "500" -> "5.5.2";
            case "501", "504", "555" -> "5.5.4";
            case "502" -> "5.5.1";
            case "503" -> "5.5.1";
            case "521" -> "5.3.2";
            case "530" -> "5.7.0";
            case "534" -> "5.7.9";
            case "535" -> "5.7.8";
            case "550", "551" -> "5.1.0";
            case "552" -> "5.3.4";
            case "553" -> "5.1.3";
            default -> code.charAt(0) + ".0.0";
        };
    }
}
