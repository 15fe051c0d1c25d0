package dev.moat.filters.headerchecks;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code header-checks} filter type: Postfix {@code header_checks} rules, written inline
 * ({@code rules:}, one {@code regexp:} table line per entry) and/or in table files
 * ({@code rules-file:}). See {@code docs/filters/header-checks.md}.
 */
public final class HeaderChecksFactory implements FilterFactory {

    static final String DEFAULT_REJECT = "550 5.7.1 Message content rejected";
    static final String DEFAULT_TEMPFAIL = "451 4.7.1 Message content deferred, try again later";
    static final int DEFAULT_PART_LIMIT = 1000;


    @Override
    public String type() {
        return "header-checks";
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of("rules", "rules-file", "mime-part-headers", "mime-part-limit", "reject-reply", "tempfail-reply");
    }

    /** Without Moat's setup (no metrics): for callers that only have settings. */
    @Override
    public Filter create(FilterSettings settings) throws Exception {
        return create(settings, FilterMetrics.NONE);
    }

    @Override
    public Filter create(FilterSetup setup) throws Exception {
        return create(setup.settings(), setup.metrics());
    }

    private Filter create(FilterSettings settings, FilterMetrics metrics) throws Exception {
        List<HeaderRule> rules = new ArrayList<>();
        rules.addAll(RegexpTableParser.parseEntries(asBytes(strings(settings, "rules")), "rules"));
        for (String file : strings(settings, "rules-file")) {
            Path path = Path.of(file);
            List<String> lines;
            try {
                // Bytes as ISO-8859-1, one char per byte, exactly as header fields are read: a
                // non-ASCII pattern then matches the same bytes in the message, as in Postfix.
                lines = Files.readAllLines(path, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new InvalidSettingException("rules-file", "cannot read '" + file + "': " + e.getMessage());
            }
            rules.addAll(RegexpTableParser.parseFile(lines, file, "rules-file"));
        }
        if (rules.isEmpty()) {
            throw new InvalidSettingException("rules", "no rules: give at least one in 'rules' or 'rules-file'");
        }
        int partLimit = settings.integer("mime-part-limit", DEFAULT_PART_LIMIT);
        if (partLimit < 1 || partLimit > 100_000) {
            throw new InvalidSettingException("mime-part-limit", "must be 1 to 100000, got " + partLimit);
        }
        Reply reject = reply(settings, "reject-reply", DEFAULT_REJECT, 5);
        Reply tempfail = reply(settings, "tempfail-reply", DEFAULT_TEMPFAIL, 4);
        return new HeaderChecksFilter(settings.filterName(), rules, settings.bool("mime-part-headers", false), partLimit,
                reject, tempfail, metrics);
    }

    /** A list setting, with a clear message when the configuration gives maps (which the SPI cannot read). */
    private static List<String> strings(FilterSettings settings, String key) {
        try {
            return settings.strings(key);
        } catch (InvalidSettingException e) {
            throw new InvalidSettingException(key, "give a list of strings in Postfix regexp: table syntax, e.g. "
                    + "['/^Subject:.*viagra/ REJECT no thanks'] (" + e.getMessage() + ")");
        }
    }

    /** YAML text is Unicode; header fields are matched as bytes (one char per byte), so patterns must be too. */
    private static List<String> asBytes(List<String> entries) {
        return entries.stream().map(s -> new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)).toList();
    }

    /** Parses a reply setting {@code "550 5.7.1 text"}; its code must be of class {@code expectedClass}. */
    static Reply reply(FilterSettings settings, String key, String defaultValue, int expectedClass) {
        Reply reply = settings.reply(key, defaultValue);
        if (reply.code() / 100 != expectedClass) {
            throw new InvalidSettingException(key, "the code must be " + expectedClass + "xx, got " + reply.code());
        }
        return reply;
    }
}
