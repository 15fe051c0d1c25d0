package dev.moat.filters.recipientcheck;

import dev.moat.filter.Address;
import dev.moat.filter.FilterMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code verify-with-next-hop} source: asks a verifier (an SMTP server that knows the recipients,
 * typically the internal MTA) whether it would take a recipient, with a cache of its definite answers.
 * Verifiers are tried in order when one cannot be reached or will not start a session (connect,
 * greeting, EHLO/HELO); once one has taken MAIL FROM, its answer is the answer.
 *
 * <p>Thread-safe: the configuration is immutable, each probe has its own socket, the cache is
 * thread-safe. Two concurrent lookups of the same uncached address both probe; the later answer wins.
 *
 * <p>Figures: {@code verify.cache.hits}, {@code verify.cache.misses}, {@code verify.probes{result}}
 * ({@code known}, {@code unknown}, {@code failed}) and the gauge {@code verify.cache.size}.
 */
final class NextHopVerifier {

    /** The JDK's logging facade: the SPI has none yet (see docs/filters/recipient-check.md). */
    private static final System.Logger LOG = System.getLogger(NextHopVerifier.class.getName());

    private final List<VerifierEndpoint> endpoints;
    private final String helo;
    private final String sender;
    private final Duration timeout;
    private final VerificationCache cache;
    private final FilterMetrics metrics;
    /** Whether the last probe failed: failures are logged when they start and when they end, not each time. */
    private final AtomicBoolean failing = new AtomicBoolean();

    /** @param sender the probe's reverse path without brackets, empty for the null sender */
    NextHopVerifier(List<VerifierEndpoint> endpoints, String helo, String sender, Duration timeout, VerificationCache cache,
            FilterMetrics metrics) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no verifier");
        }
        this.endpoints = List.copyOf(endpoints);
        this.helo = Objects.requireNonNull(helo, "helo");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        metrics.gauge("verify.cache.size", cache::size);
    }

    /** Known, unknown (both from the cache or a probe), or failure (never cached). */
    RecipientsFile.Lookup lookup(Address recipient) {
        String key = RecipientTable.key(recipient.localPart(), recipient.domain().toLowerCase(Locale.ROOT));
        Boolean cached = cache.get(key);
        if (cached != null) {
            metrics.count("verify.cache.hits");
            return cached ? RecipientsFile.Lookup.KNOWN : RecipientsFile.Lookup.UNKNOWN;
        }
        metrics.count("verify.cache.misses");
        ProbeSession.Outcome outcome = probe(recipient.toString());
        metrics.count("verify.probes", "result", switch (outcome.answer()) {
            case KNOWN -> "known";
            case UNKNOWN -> "unknown";
            case FAILURE -> "failed";
        });
        switch (outcome.answer()) {
            case KNOWN:
                recovered();
                cache.put(key, true);
                return RecipientsFile.Lookup.KNOWN;
            case UNKNOWN:
                recovered();
                cache.put(key, false);
                return RecipientsFile.Lookup.UNKNOWN;
            case FAILURE:
            default:
                if (failing.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, "verify-with-next-hop: lookup failed, answering a temporary failure"
                            + " until a verifier answers again: {0}", outcome.detail());
                }
                return RecipientsFile.Lookup.FAILURE;
        }
    }

    private void recovered() {
        if (failing.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "verify-with-next-hop: the verifier answers again");
        }
    }

    /** One probe: the first verifier that starts a session answers. */
    ProbeSession.Outcome probe(String recipient) {
        StringBuilder problems = new StringBuilder();
        for (VerifierEndpoint endpoint : endpoints) {
            ProbeSession session;
            try {
                session = ProbeSession.open(endpoint, helo, timeout);
            } catch (IOException | RuntimeException e) {
                problems.append(problems.length() == 0 ? "" : "; ").append(endpoint).append(": ").append(ProbeSession.describe(e));
                continue;
            }
            try (session) {
                return session.verify(sender, recipient);
            }
        }
        return new ProbeSession.Outcome(ProbeSession.Answer.FAILURE, "no verifier could be used: " + problems);
    }

    int cacheSize() {
        return cache.size();
    }
}
