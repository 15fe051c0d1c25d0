package dev.moat.filters.recipientcheck;

import dev.moat.filter.Address;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Verdict;

/**
 * A configurable refusal: code, enhanced status and a text in which {@code {recipient}} stands for the
 * recipient's address (made printable ASCII and shortened so the reply is always well formed). A 5xx
 * code makes a reject, a 4xx code a tempfail. Immutable.
 */
final class ReplyTemplate {

    static final String PLACEHOLDER = "{recipient}";
    private static final int MAX_TEXT = 400;

    private final int code;
    private final String status;
    private final String text;
    private final boolean disconnect;

    private ReplyTemplate(int code, String status, String text, boolean disconnect) {
        this.code = code;
        this.status = status;
        this.text = text;
        this.disconnect = disconnect;
    }

    /** Reads and checks the three settings; errors name the key at fault. */
    static ReplyTemplate of(FilterSettings settings, String prefix, int defaultCode, String defaultStatus, String defaultText,
            boolean disconnect) {
        String codeKey = prefix + "-code";
        String statusKey = prefix + "-status";
        String textKey = prefix + "-text";
        int code = settings.integer(codeKey, defaultCode);
        if (code < 400 || code > 599) {
            throw new InvalidSettingException(codeKey, code + " is not a 4xx or 5xx SMTP reply code");
        }
        String status = settings.string(statusKey, defaultStatus).trim();
        if (!status.matches("[45]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new InvalidSettingException(statusKey, "'" + status + "' is not an enhanced status code such as " + defaultStatus);
        }
        if (status.charAt(0) != Integer.toString(code).charAt(0)) {
            throw new InvalidSettingException(statusKey, "'" + status + "' does not match the reply code " + code
                    + " (the first digits must agree)");
        }
        String text = settings.string(textKey, defaultText);
        ReplyTemplate template = new ReplyTemplate(code, status, text, disconnect);
        try {
            template.verdict(Address.of("user", "example.com"));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(textKey, e.getMessage());
        }
        return template;
    }

    Verdict verdict(Address recipient) {
        String line = text.replace(PLACEHOLDER, printable(recipient.toString()));
        if (line.length() > MAX_TEXT) {
            line = line.substring(0, MAX_TEXT - 3) + "...";
        }
        Verdict verdict = code >= 500 ? Verdict.reject(code, status, line) : Verdict.tempfail(code, status, line);
        return disconnect ? verdict.andDisconnect() : verdict;
    }

    /** Replaces anything but printable ASCII (an SMTPUTF8 address, say) with '?'. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c <= 0x7E ? c : '?');
        }
        return out.toString();
    }
}
