package dev.moat.filters.addressrewrite;

import dev.moat.filter.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Finds the addr-specs in an address header field body (RFC 5322 §3.4: {@code From}, {@code To},
 * {@code Cc}, ...) and replaces only them, leaving every other character as it was: display names,
 * RFC 2047 encoded words, comments, quoted strings, white space, group syntax. Inside angle brackets
 * the addr-spec is what stands between them (after an obsolete route {@code @a,@b:}); without them it
 * is the mailbox with surrounding white space and comments trimmed. A mailbox with white space or a
 * comment inside its addr-spec (obsolete syntax) is left alone, and so is the whole field body if it
 * is malformed (an unterminated quoted string, comment, literal or angle bracket, a nested group).
 * Stateless.
 */
final class AddressList {

    private enum Kind { TEXT, QUOTED, COMMENT, LITERAL, WS, OPEN, CLOSE, COMMA, COLON, SEMI }

    private record Token(Kind kind, int start, int end) {
    }

    /** A span of the field body holding one addr-spec. */
    record Span(int start, int end) {
    }

    private AddressList() {
    }

    /**
     * The field body with each addr-spec replaced by {@code rewrite}'s result (null or an equal
     * text: unchanged); the very same string if nothing changed.
     */
    static String rewrite(String body, UnaryOperator<Address> rewrite) {
        List<Span> spans = addrSpecs(body);
        if (spans == null || spans.isEmpty()) {
            return body;
        }
        StringBuilder out = null;
        int copied = 0;
        for (Span span : spans) {
            String spec = body.substring(span.start(), span.end());
            Address original;
            try {
                original = Address.parse(spec);
            } catch (IllegalArgumentException e) {
                continue; // not an address we can read (e.g. a quoted local part with spaces): leave it
            }
            Address replaced = rewrite.apply(original);
            if (replaced == null || replaced.toString().equals(spec)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(body.length() + 32);
            }
            out.append(body, copied, span.start()).append(replaced);
            copied = span.end();
        }
        if (out == null) {
            return body;
        }
        return out.append(body, copied, body.length()).toString();
    }

    /** The spans of the addr-specs in order; null if the body is malformed. */
    static List<Span> addrSpecs(String body) {
        List<Token> tokens = tokenize(body);
        if (tokens == null) {
            return null;
        }
        List<Span> spans = new ArrayList<>();
        List<Token> segment = new ArrayList<>();
        List<Token> angle = null;
        boolean inAngle = false;
        boolean inGroup = false;
        boolean bad = false;
        for (Token t : tokens) {
            if (inAngle) {
                switch (t.kind()) {
                    case CLOSE -> inAngle = false;
                    case OPEN -> {
                        return null;
                    }
                    default -> angle.add(t);
                }
                continue;
            }
            switch (t.kind()) {
                case OPEN -> {
                    bad |= angle != null; // two angle-addrs in one mailbox
                    angle = new ArrayList<>();
                    inAngle = true;
                }
                case CLOSE -> {
                    return null;
                }
                case COMMA -> {
                    finish(segment, angle, bad, spans);
                    segment.clear();
                    angle = null;
                    bad = false;
                }
                case COLON -> {
                    if (inGroup || angle != null) {
                        return null;
                    }
                    inGroup = true; // what came before was the group's display name
                    segment.clear();
                    bad = false;
                }
                case SEMI -> {
                    if (!inGroup) {
                        return null;
                    }
                    finish(segment, angle, bad, spans);
                    segment.clear();
                    angle = null;
                    bad = false;
                    inGroup = false;
                }
                default -> segment.add(t);
            }
        }
        if (inAngle) {
            return null;
        }
        finish(segment, angle, bad, spans);
        return spans;
    }

    private static void finish(List<Token> segment, List<Token> angle, boolean bad, List<Span> spans) {
        if (bad) {
            return;
        }
        List<Token> spec;
        if (angle != null) {
            spec = withoutRoute(angle);
        } else {
            spec = segment;
        }
        int first = 0;
        int last = spec.size() - 1;
        while (first <= last && isCfws(spec.get(first))) {
            first++;
        }
        while (last >= first && isCfws(spec.get(last))) {
            last--;
        }
        if (first > last) {
            return; // empty, e.g. <> or an empty list element
        }
        for (int i = first; i <= last; i++) {
            Token t = spec.get(i);
            if (isCfws(t) || t.kind() == Kind.COLON) {
                return; // obsolete syntax with CFWS inside the addr-spec: leave the mailbox alone
            }
        }
        spans.add(new Span(spec.get(first).start(), spec.get(last).end()));
    }

    /** The tokens of an angle-addr after an obsolete source route {@code @a,@b:}, if any. */
    private static List<Token> withoutRoute(List<Token> angle) {
        int i = 0;
        while (i < angle.size() && isCfws(angle.get(i))) {
            i++;
        }
        if (i < angle.size() && angle.get(i).kind() == Kind.TEXT) {
            for (int j = i; j < angle.size(); j++) {
                if (angle.get(j).kind() == Kind.COLON) {
                    return angle.subList(j + 1, angle.size());
                }
            }
        }
        return angle;
    }

    private static boolean isCfws(Token t) {
        return t.kind() == Kind.WS || t.kind() == Kind.COMMENT;
    }

    /** Splits the body into tokens; null if a quoted string, comment or literal is not terminated. */
    private static List<Token> tokenize(String s) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int start = i;
            switch (c) {
                case '"' -> {
                    i++;
                    while (i < n && s.charAt(i) != '"') {
                        i += s.charAt(i) == '\\' ? 2 : 1;
                    }
                    if (i >= n) {
                        return null;
                    }
                    i++;
                    tokens.add(new Token(Kind.QUOTED, start, i));
                }
                case '(' -> {
                    int depth = 0;
                    do {
                        char d = s.charAt(i);
                        if (d == '\\') {
                            i++;
                        } else if (d == '(') {
                            depth++;
                        } else if (d == ')') {
                            depth--;
                        }
                        i++;
                    } while (depth > 0 && i < n);
                    if (depth > 0) {
                        return null;
                    }
                    tokens.add(new Token(Kind.COMMENT, start, Math.min(i, n)));
                }
                case '[' -> {
                    while (i < n && s.charAt(i) != ']') {
                        i += s.charAt(i) == '\\' ? 2 : 1;
                    }
                    if (i >= n) {
                        return null;
                    }
                    i++;
                    tokens.add(new Token(Kind.LITERAL, start, i));
                }
                case ' ', '\t' -> {
                    while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                        i++;
                    }
                    tokens.add(new Token(Kind.WS, start, i));
                }
                case '<' -> tokens.add(new Token(Kind.OPEN, start, ++i));
                case '>' -> tokens.add(new Token(Kind.CLOSE, start, ++i));
                case ',' -> tokens.add(new Token(Kind.COMMA, start, ++i));
                case ':' -> tokens.add(new Token(Kind.COLON, start, ++i));
                case ';' -> tokens.add(new Token(Kind.SEMI, start, ++i));
                case ')', ']' -> {
                    return null;
                }
                default -> {
                    while (i < n && "\"([ \t<>,:;)]".indexOf(s.charAt(i)) < 0) {
                        i++;
                    }
                    tokens.add(new Token(Kind.TEXT, start, i));
                }
            }
        }
        return tokens;
    }
}
