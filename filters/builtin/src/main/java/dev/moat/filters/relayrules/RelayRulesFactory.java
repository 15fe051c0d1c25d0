package dev.moat.filters.relayrules;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Verdict;
import java.util.Set;

/** Makes {@code relay-rules} filters; settings and replies are in {@code docs/filters/relay-rules.md}. */
public final class RelayRulesFactory implements FilterFactory {

    public static final String TYPE = "relay-rules";

    static final String ACCEPTED_DOMAINS = "accepted-domains";
    static final String TRUSTED_NETWORKS = "trusted-networks";
    static final String AUTHENTICATED_MAY_RELAY = "authenticated-may-relay";
    static final String REPLY_CODE = "reply-code";
    static final String REPLY_STATUS = "reply-status";
    static final String REPLY_TEXT = "reply-text";

    static final int DEFAULT_CODE = 554;
    static final String DEFAULT_STATUS = "5.7.1";
    static final String DEFAULT_TEXT = "Relay access denied";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of(ACCEPTED_DOMAINS, TRUSTED_NETWORKS, AUTHENTICATED_MAY_RELAY, REPLY_CODE, REPLY_STATUS, REPLY_TEXT);
    }

    @Override
    public Filter create(FilterSettings settings) {
        AcceptedDomains domains;
        try {
            domains = AcceptedDomains.parse(settings.strings(ACCEPTED_DOMAINS));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(ACCEPTED_DOMAINS, e.getMessage());
        }
        TrustedNetworks networks;
        try {
            networks = TrustedNetworks.parse(settings.strings(TRUSTED_NETWORKS));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(TRUSTED_NETWORKS, e.getMessage());
        }
        boolean authenticatedMayRelay = settings.bool(AUTHENTICATED_MAY_RELAY, true);
        Verdict denied = refusal(settings, REPLY_CODE, REPLY_STATUS, REPLY_TEXT, DEFAULT_CODE, DEFAULT_STATUS, DEFAULT_TEXT);
        return new RelayRulesFilter(domains, networks, authenticatedMayRelay, denied);
    }

    /**
     * A reject (5xx) or tempfail (4xx) verdict from three reply settings, checked as the SPI's
     * {@code Reply} checks it; errors name the key at fault.
     */
    static Verdict refusal(FilterSettings settings, String codeKey, String statusKey, String textKey,
            int defaultCode, String defaultStatus, String defaultText) {
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
        try {
            return code >= 500 ? Verdict.reject(code, status, text) : Verdict.tempfail(code, status, text);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(textKey, e.getMessage());
        }
    }
}
