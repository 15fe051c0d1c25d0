package dev.moat.core.relay;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reply from a next hop: its code, its enhanced status code if it sent one, and its text (lines
 * joined with a space, the enhanced code removed). Immutable.
 */
public record NextHopReply(int code, String enhancedStatus, String text, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})(?: (.*))?$");

    static NextHopReply of(int code, List<String> lines) {
        String enhanced = null;
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            String t = line;
            Matcher m = ENHANCED.matcher(t);
            if (m.matches()) {
                if (enhanced == null && m.group(1).charAt(0) == Integer.toString(code).charAt(0)) {
                    enhanced = m.group(1);
                }
                t = m.group(2) == null ? "" : m.group(2);
            }
            if (!t.isEmpty()) {
                if (text.length() > 0) {
                    text.append(' ');
                }
                text.append(t);
            }
        }
        return new NextHopReply(code, enhanced, text.toString(), List.copyOf(lines));
    }

    /**
     * Next-hop text made fit for our own reply or record: printable ASCII only (anything else becomes
     * {@code ?}), at most 300 characters. A next hop's words must never inject control characters
     * into our SMTP replies, logs or queue state. Null (an exception without a message) is empty.
     */
    public static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
        for (int i = 0; i < s.length() && b.length() < 300; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return b.toString();
    }

    public boolean positive() {
        return code / 100 == 2;
    }

    public boolean intermediate() {
        return code / 100 == 3;
    }

    public boolean transientFailure() {
        return code / 100 == 4;
    }

    @Override
    public String toString() {
        return code + (enhancedStatus != null ? " " + enhancedStatus : "") + " " + text;
    }
}
