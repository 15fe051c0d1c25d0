package dev.moat.filters.recipientcheck;

import dev.moat.filter.Address;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.InvalidSettingException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Makes {@code recipient-check} filters; settings and replies are in {@code docs/filters/recipient-check.md}.
 * The no-argument constructor (used by {@code ServiceLoader}) takes the clock of the
 * {@code verify-with-next-hop} cache from the {@link FilterSetup} (the system clock when only settings
 * are given); a clock passed to the constructor takes precedence over both.
 */
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
    static final String VERIFY = "verify-with-next-hop";
    static final String VERIFY_HELO = "verify-helo";
    static final String VERIFY_SENDER = "verify-sender";
    static final String VERIFY_TIMEOUT = "verify-timeout";
    static final String VERIFY_CACHE_TTL = "verify-cache-ttl";
    static final String VERIFY_NEGATIVE_CACHE_TTL = "verify-negative-cache-ttl";
    static final String VERIFY_CACHE_SIZE = "verify-cache-size";
    static final List<String> VERIFY_OPTIONS = List.of(VERIFY_HELO, VERIFY_SENDER, VERIFY_TIMEOUT, VERIFY_CACHE_TTL,
            VERIFY_NEGATIVE_CACHE_TTL, VERIFY_CACHE_SIZE);

    static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
    static final int DEFAULT_MAX_UNKNOWN = 20;
    static final String DEFAULT_VERIFY_HELO = "localhost";
    static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_VERIFY_TIMEOUT = Duration.ofMinutes(10);
    static final Duration DEFAULT_VERIFY_CACHE_TTL = Duration.ofMinutes(10);
    static final Duration DEFAULT_VERIFY_NEGATIVE_CACHE_TTL = Duration.ofMinutes(1);
    static final int DEFAULT_VERIFY_CACHE_SIZE = 10_000;

    /** The constructor's clock, or null to use the setup's. */
    private final Clock clock;

    public RecipientCheckFactory() {
        this.clock = null;
    }

    public RecipientCheckFactory(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> settingKeys() {
        Set<String> keys = new java.util.HashSet<>(Set.of(DOMAINS, RECIPIENTS, RECIPIENTS_FILE, RECIPIENT_PATTERNS,
                RELOAD_INTERVAL, MAX_UNKNOWN, VERIFY));
        keys.addAll(VERIFY_OPTIONS);
        for (String reply : List.of(UNKNOWN_REPLY, FAILURE_REPLY, HARVEST_REPLY)) {
            keys.add(reply + "-code");
            keys.add(reply + "-status");
            keys.add(reply + "-text");
        }
        return Set.copyOf(keys);
    }

    /** Without Moat's setup: no metrics, the constructor's clock or the system clock. */
    @Override
    public Filter create(FilterSettings settings) {
        return create(settings, FilterMetrics.NONE, clock != null ? clock : Clock.systemUTC());
    }

    @Override
    public Filter create(FilterSetup setup) {
        return create(setup.settings(), setup.metrics(), clock != null ? clock : setup.clock());
    }

    private Filter create(FilterSettings settings, FilterMetrics metrics, Clock clock) {
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
        NextHopVerifier verifier = verifier(settings, metrics, clock);
        if (staticTable.size() == 0 && patterns.isEmpty() && file == null && verifier == null) {
            throw new InvalidSettingException(RECIPIENTS, "no source of recipients: give recipients, recipients-file,"
                    + " recipient-patterns or verify-with-next-hop (without one, every recipient of the domains would be unknown)");
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
        return new RecipientCheckFilter(settings.filterName(), domains, staticTable, patterns, file, verifier, maxUnknown,
                unknown, failure, harvest, metrics);
    }

    /** The {@code verify-with-next-hop} source, or null when it is not configured (then its options are errors). */
    private static NextHopVerifier verifier(FilterSettings settings, FilterMetrics metrics, Clock clock) {
        List<String> entries = settings.strings(VERIFY);
        if (entries.isEmpty()) {
            for (String option : VERIFY_OPTIONS) {
                if (settings.has(option)) {
                    throw new InvalidSettingException(option, "has no effect without verify-with-next-hop");
                }
            }
            return null;
        }
        List<VerifierEndpoint> endpoints = new ArrayList<>();
        for (String entry : entries) {
            try {
                endpoints.add(VerifierEndpoint.parse(entry));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(VERIFY, e.getMessage());
            }
        }
        String helo = settings.string(VERIFY_HELO, DEFAULT_VERIFY_HELO).trim();
        if (!Domains.isDomain(helo) && !helo.matches("\\[[0-9A-Za-z.:-]+\\]")) {
            throw new InvalidSettingException(VERIFY_HELO, "'" + helo + "' is not a host name such as gateway.example.com"
                    + " or an address literal such as [192.0.2.1]");
        }
        String sender = sender(settings.string(VERIFY_SENDER, "<>"));
        Duration timeout = settings.duration(VERIFY_TIMEOUT, DEFAULT_VERIFY_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_VERIFY_TIMEOUT) > 0) {
            throw new InvalidSettingException(VERIFY_TIMEOUT, "must be more than 0s and at most 10m");
        }
        Duration positiveTtl = settings.duration(VERIFY_CACHE_TTL, DEFAULT_VERIFY_CACHE_TTL);
        if (positiveTtl.isNegative() || positiveTtl.isZero()) {
            throw new InvalidSettingException(VERIFY_CACHE_TTL, "must be more than 0s");
        }
        Duration negativeTtl = settings.duration(VERIFY_NEGATIVE_CACHE_TTL, DEFAULT_VERIFY_NEGATIVE_CACHE_TTL);
        if (negativeTtl.isNegative()) {
            throw new InvalidSettingException(VERIFY_NEGATIVE_CACHE_TTL, "must not be negative (0s: unknown answers are not cached)");
        }
        int cacheSize = settings.integer(VERIFY_CACHE_SIZE, DEFAULT_VERIFY_CACHE_SIZE);
        if (cacheSize < 1) {
            throw new InvalidSettingException(VERIFY_CACHE_SIZE, "must be at least 1");
        }
        return new NextHopVerifier(endpoints, helo, sender, timeout,
                new VerificationCache(clock, positiveTtl, negativeTtl, cacheSize), metrics);
    }

    /** {@code <>} (or empty) is the null sender; otherwise an address, with or without angle brackets. */
    private static String sender(String value) {
        String text = value.trim();
        if (text.startsWith("<") && text.endsWith(">")) {
            text = text.substring(1, text.length() - 1).trim();
        }
        if (text.isEmpty()) {
            return "";
        }
        try {
            return Address.parse(text).toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(VERIFY_SENDER, "'" + value + "' is not an address or <> (the null sender)");
        }
    }
}
