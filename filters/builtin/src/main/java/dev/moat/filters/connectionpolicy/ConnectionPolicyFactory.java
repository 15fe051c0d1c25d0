package dev.moat.filters.connectionpolicy;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Reply;
import dev.moat.filters.connectionpolicy.Addresses.Cidr;
import dev.moat.filters.connectionpolicy.ConnectionPolicyFilter.Policy;
import dev.moat.filters.connectionpolicy.ConnectionPolicyFilter.Rate;
import dev.moat.filters.connectionpolicy.ConnectionPolicyFilter.Replies;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code connection-policy} filter type. See {@code docs/filters/connection-policy.md}.
 *
 * <pre>
 * - type: connection-policy
 *   max-concurrent: 10
 *   max-connection-rate: 30/1m
 *   max-message-rate: 100/1h
 *   max-recipient-rate: 500/1h
 *   trusted-networks: [10.0.0.0/8, "2001:db8::/32"]
 *   helo-checks: true
 *   own-hostnames: [mx.example.com]
 *   sender-checks: true
 * </pre>
 *
 * The no-argument constructor (used by {@code ServiceLoader}) takes the clock from the
 * {@link FilterSetup} (the system clock when only settings are given); a clock passed to the
 * constructor takes precedence over both.
 */
public final class ConnectionPolicyFactory implements FilterFactory {

    static final int DEFAULT_MAX_TRACKED = 100_000;
    static final int DEFAULT_IPV6_PREFIX = 64;

    private static final Pattern RATE = Pattern.compile("\\s*([0-9]{1,9})\\s*(?:/|\\s+per\\s+)\\s*([0-9]{0,9})(ms|s|m|h|d)\\s*",
            Pattern.CASE_INSENSITIVE);

    /** The constructor's clock, or null to use the setup's. */
    private final Clock clock;

    public ConnectionPolicyFactory() {
        this.clock = null;
    }

    public ConnectionPolicyFactory(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String type() {
        return "connection-policy";
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of("max-concurrent", "max-connection-rate", "max-message-rate", "max-recipient-rate",
                "trusted-networks", "max-tracked-clients", "ipv6-prefix", "helo-checks", "own-hostnames",
                "own-addresses", "sender-checks",
                "concurrency-reply", "connection-rate-reply", "message-rate-reply", "recipient-rate-reply",
                "helo-invalid-reply", "helo-bare-ip-reply", "helo-own-name-reply", "sender-invalid-reply",
                "null-sender-reply");
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
        int maxConcurrent = settings.integer("max-concurrent", 0);
        if (maxConcurrent < 0) {
            throw new InvalidSettingException("max-concurrent", "must be 0 (no limit) or more, got " + maxConcurrent);
        }
        List<Cidr> trusted = new ArrayList<>();
        for (String network : settings.strings("trusted-networks")) {
            Cidr cidr = Cidr.parse(network);
            if (cidr == null) {
                throw new InvalidSettingException("trusted-networks", "'" + network
                        + "' is not an IP address or network (write e.g. 192.0.2.0/24 or 2001:db8::/32)");
            }
            trusted.add(cidr);
        }
        int maxTracked = settings.integer("max-tracked-clients", DEFAULT_MAX_TRACKED);
        if (maxTracked < 1 || maxTracked > 10_000_000) {
            throw new InvalidSettingException("max-tracked-clients", "must be 1 to 10000000, got " + maxTracked);
        }
        int ipv6Prefix = settings.integer("ipv6-prefix", DEFAULT_IPV6_PREFIX);
        if (ipv6Prefix < 1 || ipv6Prefix > 128) {
            throw new InvalidSettingException("ipv6-prefix", "must be 1 to 128, got " + ipv6Prefix);
        }
        Set<String> ownNames = new HashSet<>();
        for (String name : settings.strings("own-hostnames")) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            if (!Addresses.isHostname(n)) {
                throw new InvalidSettingException("own-hostnames", "'" + name + "' is not a host name");
            }
            ownNames.add(n);
        }
        List<byte[]> ownAddresses = new ArrayList<>();
        for (String address : settings.strings("own-addresses")) {
            byte[] ip = Addresses.ip(address.strip());
            if (ip == null) {
                throw new InvalidSettingException("own-addresses", "'" + address + "' is not an IP address");
            }
            ownAddresses.add(ip);
        }
        Replies replies = new Replies(
                reply(settings, "concurrency-reply", "421 4.7.0 Too many connections from your address, try again later"),
                reply(settings, "connection-rate-reply", "421 4.7.0 Connection rate limit exceeded, try again later"),
                reply(settings, "message-rate-reply", "450 4.7.1 Message rate limit exceeded, try again later"),
                reply(settings, "recipient-rate-reply", "450 4.7.1 Recipient rate limit exceeded, try again later"),
                reply(settings, "helo-invalid-reply", "550 5.7.1 HELO/EHLO name is not a valid host name or address literal"),
                reply(settings, "helo-bare-ip-reply",
                        "550 5.7.1 HELO/EHLO with a bare IP address: use an address literal such as [192.0.2.1]"),
                reply(settings, "helo-own-name-reply", "550 5.7.1 HELO/EHLO with my own host name or address"),
                reply(settings, "sender-invalid-reply", "553 5.1.7 Bad sender address syntax"),
                reply(settings, "null-sender-reply", "550 5.7.1 Null sender allowed only with one recipient"));
        Policy policy = new Policy(maxConcurrent, rate(settings, "max-connection-rate"), rate(settings, "max-message-rate"),
                rate(settings, "max-recipient-rate"), List.copyOf(trusted), ipv6Prefix, settings.bool("helo-checks", false),
                Set.copyOf(ownNames), List.copyOf(ownAddresses), settings.bool("sender-checks", false), replies);
        return new ConnectionPolicyFilter(policy, new InMemoryRateStateStore(maxTracked), clock, metrics);
    }

    /** {@code 30/1m} or {@code 30 per 1m}; absent means no limit. */
    static Rate rate(FilterSettings settings, String key) {
        Optional<String> value;
        try {
            value = settings.string(key);
        } catch (InvalidSettingException e) {
            throw new InvalidSettingException(key, "write the rate as 'count/duration', e.g. '30/1m' "
                    + "(a YAML map such as {count: 30, per: 1m} is not readable by filters yet)");
        }
        if (value.isEmpty()) {
            return null;
        }
        Matcher m = RATE.matcher(value.get());
        if (!m.matches()) {
            throw new InvalidSettingException(key, "'" + value.get() + "' is not a rate (write e.g. 30/1m, 100/1h, 5 per 10s)");
        }
        int count = Integer.parseInt(m.group(1));
        long amount = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
        Duration window = switch (m.group(3).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (count < 1) {
            throw new InvalidSettingException(key, "the count must be at least 1, got " + count);
        }
        if (window.compareTo(Duration.ofMillis(100)) < 0 || window.compareTo(Duration.ofDays(7)) > 0) {
            throw new InvalidSettingException(key, "the window must be 100ms to 7d, got " + value.get());
        }
        return new Rate(count, window);
    }

    /** Parses a reply setting {@code "421 4.7.0 text"} (4xx or 5xx: a 4xx makes it a temporary refusal). */
    static Reply reply(FilterSettings settings, String key, String defaultValue) {
        return settings.reply(key, defaultValue);
    }
}
