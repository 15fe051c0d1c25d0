package dev.moat.filters.addressrewrite;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.Header;
import dev.moat.filter.InvalidSettingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Makes {@code address-rewrite} filters; settings are in {@code docs/filters/address-rewrite.md}. */
public final class AddressRewriteFactory implements FilterFactory {

    public static final String TYPE = "address-rewrite";

    static final String RULES = "rules";
    static final String HEADERS = "headers";

    static final List<String> DEFAULT_HEADERS = List.of("From", "To", "Cc", "Reply-To");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of(RULES, HEADERS);
    }

    @Override
    public Filter create(FilterSettings settings) {
        List<String> lines;
        try {
            lines = settings.strings(RULES);
        } catch (InvalidSettingException e) {
            throw new InvalidSettingException(RULES, "each rule is one string \"MATCH REPLACE [scope=envelope|headers|both]"
                    + " [applies-to=sender|recipients|both]\" (" + e.getMessage() + ")");
        }
        if (lines.isEmpty()) {
            throw new InvalidSettingException(RULES, "is required: at least one rule \"MATCH REPLACE [scope=...] [applies-to=...]\"");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            try {
                rules.add(RuleSyntax.parse(lines.get(i)));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(RULES, "[" + i + "] " + e.getMessage());
            }
        }

        List<String> headers = settings.has(HEADERS) ? settings.strings(HEADERS) : DEFAULT_HEADERS;
        if (headers.isEmpty()) {
            throw new InvalidSettingException(HEADERS, "must name at least one header field (or leave it out for "
                    + String.join(", ", DEFAULT_HEADERS) + ")");
        }
        Map<String, String> unique = new LinkedHashMap<>();
        for (String name : headers) {
            String trimmed = name.trim();
            try {
                new Header(trimmed, "");
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(HEADERS, "'" + name + "' is not a header field name");
            }
            unique.putIfAbsent(trimmed.toLowerCase(Locale.ROOT), trimmed);
        }
        return new AddressRewriteFilter(settings.filterName(), rules, List.copyOf(unique.values()));
    }
}
