package dev.moat.filters.recipientcheck;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.InvalidSettingException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Makes {@code recipient-check} filters; settings and replies are in {@code docs/filters/recipient-check.md}. */
public final class RecipientCheckFactory implements FilterFactory {

    public static final String TYPE = "recipient-check";

    static final String DOMAINS = "domains";
    static final String RECIPIENTS = "recipients";
    static final String RECIPIENTS_FILE = "recipients-file";
    static final String RECIPIENT_PATTERNS = "recipient-patterns";
    static final String RELOAD_INTERVAL = "reload-interval";
    static final String MAX_UNKNOWN = "max-unknown-recipients";
    static final String UNKNOWN_REPLY = "unknown-reply";
    static final String FAILURE_REPLY = "failure-reply";
    static final String HARVEST_REPLY = "harvest-reply";

    static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
    static final int DEFAULT_MAX_UNKNOWN = 20;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> settingKeys() {
        Set<String> keys = new java.util.HashSet<>(Set.of(DOMAINS, RECIPIENTS, RECIPIENTS_FILE, RECIPIENT_PATTERNS,
                RELOAD_INTERVAL, MAX_UNKNOWN));
        for (String reply : List.of(UNKNOWN_REPLY, FAILURE_REPLY, HARVEST_REPLY)) {
            keys.add(reply + "-code");
            keys.add(reply + "-status");
            keys.add(reply + "-text");
        }
        return Set.copyOf(keys);
    }

    @Override
    public Filter create(FilterSettings settings) {
        List<String> domainEntries = settings.strings(DOMAINS);
        if (domainEntries.isEmpty()) {
            throw new InvalidSettingException(DOMAINS, "is required: the domains whose recipients this filter knows"
                    + " (recipients of other domains pass unchecked)");
        }
        Domains domains;
        try {
            domains = Domains.parse(domainEntries);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(DOMAINS, e.getMessage());
        }

        RecipientTable.Builder builder = new RecipientTable.Builder();
        for (String entry : settings.strings(RECIPIENTS)) {
            String domain;
            try {
                domain = builder.add(entry);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(RECIPIENTS, e.getMessage());
            }
            if (!domains.contains(domain)) {
                throw new InvalidSettingException(RECIPIENTS, "'" + entry + "' is not in one of the domains (" + String.join(", ", domainEntries)
                        + "), so it would never be consulted");
            }
        }
        RecipientTable staticTable = builder.build();

        List<Pattern> patterns = new ArrayList<>();
        for (String regex : settings.strings(RECIPIENT_PATTERNS)) {
            try {
                patterns.add(Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
            } catch (PatternSyntaxException e) {
                throw new InvalidSettingException(RECIPIENT_PATTERNS, "'" + regex + "' is not a valid regular expression: "
                        + e.getDescription());
            }
        }

        Duration interval = settings.duration(RELOAD_INTERVAL, DEFAULT_RELOAD_INTERVAL);
        if (interval.isNegative()) {
            throw new InvalidSettingException(RELOAD_INTERVAL, "must not be negative");
        }
        RecipientsFile file = null;
        if (settings.has(RECIPIENTS_FILE)) {
            String name = settings.requiredString(RECIPIENTS_FILE);
            Path path;
            try {
                path = Path.of(name);
            } catch (InvalidPathException e) {
                throw new InvalidSettingException(RECIPIENTS_FILE, "'" + name + "' is not a file name: " + e.getReason());
            }
            try {
                file = RecipientsFile.open(path, interval, System::nanoTime);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(RECIPIENTS_FILE, e.getMessage());
            }
        }
        if (staticTable.size() == 0 && patterns.isEmpty() && file == null) {
            throw new InvalidSettingException(RECIPIENTS, "no source of recipients: give recipients, recipients-file or"
                    + " recipient-patterns (without one, every recipient of the domains would be unknown)");
        }

        int maxUnknown = settings.integer(MAX_UNKNOWN, DEFAULT_MAX_UNKNOWN);
        if (maxUnknown < 0) {
            throw new InvalidSettingException(MAX_UNKNOWN, "must be 0 (no limit) or more");
        }
        ReplyTemplate unknown = ReplyTemplate.of(settings, UNKNOWN_REPLY, 550, "5.1.1",
                "<" + ReplyTemplate.PLACEHOLDER + ">: Recipient address rejected: User unknown", false);
        ReplyTemplate failure = ReplyTemplate.of(settings, FAILURE_REPLY, 450, "4.1.1",
                "<" + ReplyTemplate.PLACEHOLDER + ">: Recipient address rejected: Temporary lookup failure", false);
        ReplyTemplate harvest = ReplyTemplate.of(settings, HARVEST_REPLY, 421, "4.7.0", "Too many unknown recipients", true);
        return new RecipientCheckFilter(settings.filterName(), domains, staticTable, patterns, file, maxUnknown, unknown,
                failure, harvest);
    }
}
