package dev.moat.core.message;

import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.stream.NameValuePair;

/**
 * The body of a {@code Content-Type} or {@code Content-Disposition} field split into its value and its
 * parameters, RFC 2045 §5.1 with RFC 5322 comments and quoted strings: {@code attachment (c);
 * filename="a \"b\".pdf"} is {@code attachment} and {@code filename} = {@code a "b".pdf}. Lenient like a
 * mail client: an unquoted value runs to the next {@code ;} (so an RFC 2047 word with {@code =} in it
 * stays whole), an unterminated quote or comment runs to the end. A quoted pair is unescaped whatever
 * character it escapes, so {@code "a.ex\e"} is {@code a.exe}, as a client reads it.
 */
record MimeFieldBody(String value, List<NameValuePair> parameters) {

    static MimeFieldBody parse(String body) {
        Cursor c = new Cursor(body);
        String value = c.until(false);
        List<NameValuePair> parameters = new ArrayList<>();
        while (c.skipSemicolon()) {
            String name = c.until(true);
            if (c.skipEquals()) {
                String v = c.until(false);
                if (!name.isEmpty()) {
                    parameters.add(new NameValuePair(name, v));
                }
            }
        }
        return new MimeFieldBody(value, parameters);
    }

    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = s;
        }

        /** Reads up to ';' (and '=' when a name is read), without comments, whitespace runs as one space. */
        String until(boolean name) {
            StringBuilder out = new StringBuilder();
            boolean space = false;
            while (pos < s.length()) {
                char ch = s.charAt(pos);
                if (ch == ';' || (name && ch == '=')) {
                    break;
                }
                pos++;
                if (ch == '(') {
                    skipComment();
                    space = out.length() > 0;
                } else if (ch == '"') {
                    if (space) {
                        out.append(' ');
                        space = false;
                    }
                    quoted(out);
                } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
                    space = out.length() > 0;
                } else {
                    if (space) {
                        out.append(' ');
                        space = false;
                    }
                    out.append(ch);
                }
            }
            return out.toString();
        }

        private void quoted(StringBuilder out) {
            while (pos < s.length()) {
                char ch = s.charAt(pos++);
                if (ch == '"') {
                    return;
                }
                if (ch == '\\' && pos < s.length()) {
                    ch = s.charAt(pos++);
                }
                if (ch != '\r' && ch != '\n') {
                    out.append(ch);
                }
            }
        }

        private void skipComment() {
            int depth = 1;
            while (pos < s.length() && depth > 0) {
                char ch = s.charAt(pos++);
                if (ch == '\\') {
                    pos++;
                } else if (ch == '(') {
                    depth++;
                } else if (ch == ')') {
                    depth--;
                }
            }
        }

        boolean skipSemicolon() {
            if (pos < s.length() && s.charAt(pos) == ';') {
                pos++;
                return true;
            }
            return false;
        }

        boolean skipEquals() {
            if (pos < s.length() && s.charAt(pos) == '=') {
                pos++;
                return true;
            }
            return false;
        }
    }
}
