package dev.moat.core.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.james.mime4j.stream.NameValuePair;

/**
 * The parameters of a MIME header field ({@code name="x.pdf"; charset=utf-8}) as a map from lower-case
 * name to value, with RFC 2231 parameter value extensions decoded: {@code filename*=UTF-8''a%20b.pdf}
 * (charset and percent-encoding) and continuations {@code filename*0="a"; filename*1*=%20b.pdf}. An
 * RFC 2231 form wins over a plain parameter of the same name, as in mail clients (and RFC 6266), so
 * that a filter judges the name the recipient sees.
 */
final class MimeParameters {

    /** Continuations beyond this section number are ignored: a name cannot grow without bound. */
    private static final int MAX_SECTIONS = 100;

    private MimeParameters() {
    }

    static Map<String, String> decode(List<NameValuePair> pairs) {
        if (pairs.isEmpty()) {
            return Map.of();
        }
        Map<String, String> plain = new HashMap<>();
        Map<String, TreeMap<Integer, Section>> extended = null;
        for (NameValuePair pair : pairs) {
            String name = pair.getName().toLowerCase(Locale.ROOT).trim();
            String value = pair.getValue() == null ? "" : pair.getValue();
            int star = name.indexOf('*');
            if (star < 0) {
                plain.putIfAbsent(name, value);
                continue;
            }
            String base = name.substring(0, star);
            String rest = name.substring(star + 1);
            boolean encoded = rest.endsWith("*") || rest.isEmpty();
            String number = rest.endsWith("*") ? rest.substring(0, rest.length() - 1) : rest;
            int section;
            if (number.isEmpty()) {
                section = 0;
            } else if (number.length() <= 3 && number.chars().allMatch(c -> c >= '0' && c <= '9')) {
                section = Integer.parseInt(number);
            } else {
                continue; // not an RFC 2231 name: ignore rather than guess
            }
            if (base.isEmpty() || section > MAX_SECTIONS) {
                continue;
            }
            if (extended == null) {
                extended = new HashMap<>();
            }
            extended.computeIfAbsent(base, k -> new TreeMap<>()).putIfAbsent(section, new Section(value, encoded));
        }
        if (extended != null) {
            extended.forEach((name, sections) -> {
                String value = join(sections);
                if (value != null) {
                    plain.put(name, value);
                }
            });
        }
        return plain;
    }

    /** Joins sections 0, 1, 2, ... (stopping at the first gap); null when there is no section 0. */
    private static String join(TreeMap<Integer, Section> sections) {
        Section first = sections.get(0);
        if (first == null) {
            return null;
        }
        Charset charset = StandardCharsets.ISO_8859_1;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; sections.containsKey(i); i++) {
            Section s = sections.get(i);
            String text = s.value();
            if (s.encoded() && i == 0) {
                // charset'language'value; a value without both quotes is taken as plain text
                int q1 = text.indexOf('\'');
                int q2 = q1 < 0 ? -1 : text.indexOf('\'', q1 + 1);
                if (q2 >= 0) {
                    charset = charset(text.substring(0, q1));
                    text = text.substring(q2 + 1);
                }
            }
            if (s.encoded()) {
                percentDecode(text, bytes);
            } else {
                bytes.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return bytes.toString(charset);
    }

    private static void percentDecode(String text, ByteArrayOutputStream out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                out.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c <= 0xFF ? c : '?');
            }
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    /** The named charset, or ISO-8859-1 (every byte a character) when it is empty or unknown. */
    private static Charset charset(String name) {
        if (name.isBlank()) {
            return StandardCharsets.ISO_8859_1;
        }
        try {
            return Charset.forName(name.trim());
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    private record Section(String value, boolean encoded) {
    }
}
