package dev.moat.filter.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.moat.filter.Address;
import dev.moat.filter.ConnectContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.HeloContext;
import dev.moat.filter.NoteKey;
import dev.moat.filter.RcptContext;
import dev.moat.filter.StateStore;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The code samples of docs/writing-a-filter.md that are not part of examples/subject-tag, kept here so
 * they compile; WritingAFilterDocTest checks the doc shows them exactly, and runs them.
 */
final class WritingAFilterSnippets {

    private WritingAFilterSnippets() {
    }

    // doc:begin notes
    /** Remembers at HELO whether the client named itself by an address literal; refuses its recipients later. */
    static final class LiteralHeloFilter implements Filter {

        // A key is compared by identity: keep it in a static final field of your own class.
        private static final NoteKey<Boolean> LITERAL_HELO = NoteKey.of("literal-helo", Boolean.class);

        @Override
        public Verdict helo(HeloContext context) {
            context.connectionNotes().put(LITERAL_HELO, context.heloName().startsWith("["));
            return Verdict.next();
        }

        @Override
        public Verdict rcptTo(RcptContext context) {
            boolean literal = context.connectionNotes().get(LITERAL_HELO).orElse(false);
            return literal ? Verdict.reject(550, "5.7.1", "Use your host name in HELO") : Verdict.next();
        }
    }
    // doc:end notes

    // doc:begin state
    /** At most {@code max} connections per client address and minute, counted in the instance's state store. */
    static final class ConnectionRateFilter implements Filter {

        private final StateStore state;
        private final int max;

        ConnectionRateFilter(FilterSetup setup, int max) {
            this.state = setup.state();
            this.max = max;
        }

        @Override
        public Verdict connect(ConnectContext context) {
            String client = context.session().clientAddress().getAddress().getHostAddress();
            // Atomic; the first increment starts a one-minute window for this key.
            long seen = state.increment("connections:" + client, 1, Duration.ofMinutes(1));
            return seen > max ? Verdict.tempfail(421, "4.7.0", "Too many connections, slow down").andDisconnect() : Verdict.next();
        }
    }
    // doc:end state

    // doc:begin reputation
    /**
     * Asks an HTTP reputation service about the sender's domain, with its own timeout (shorter than the
     * filter's), a cache in the state store, and an explicit policy when the service is down.
     */
    static final class ReputationFactory implements FilterFactory {

        @Override
        public String type() {
            return "http-reputation";
        }

        @Override
        public Set<String> settingKeys() {
            return Set.of("url", "api-token", "request-timeout", "cache-for", "when-unavailable");
        }

        @Override
        public Set<String> secretKeys() {
            return Set.of("api-token"); // shown as **** by the admin API
        }

        @Override
        public Filter create(FilterSetup setup) {
            FilterSettings s = setup.settings();
            URI url = URI.create(s.requiredString("url"));
            String token = s.requiredString("api-token");
            Duration timeout = s.duration("request-timeout", Duration.ofSeconds(2));
            Duration cacheFor = s.duration("cache-for", Duration.ofMinutes(10));
            boolean failOpen = switch (s.string("when-unavailable", "accept")) {
                case "accept" -> true;
                case "tempfail" -> false;
                default -> throw new dev.moat.filter.InvalidSettingException("when-unavailable", "use accept or tempfail");
            };
            HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
            return new ReputationFilter(http, url, token, timeout, cacheFor, failOpen, setup.state(), setup.metrics(),
                    setup.logger());
        }
    }

    static final class ReputationFilter implements Filter {

        private final HttpClient http;
        private final URI url;
        private final String token;
        private final Duration timeout;
        private final Duration cacheFor;
        private final boolean failOpen;
        private final StateStore cache;
        private final FilterMetrics metrics;
        private final System.Logger log;

        ReputationFilter(HttpClient http, URI url, String token, Duration timeout, Duration cacheFor, boolean failOpen,
                StateStore cache, FilterMetrics metrics, System.Logger log) {
            this.http = http;
            this.url = url;
            this.token = token;
            this.timeout = timeout;
            this.cacheFor = cacheFor;
            this.failOpen = failOpen;
            this.cache = cache;
            this.metrics = metrics;
            this.log = log;
        }

        @Override
        public Verdict mailFrom(dev.moat.filter.MailContext context) throws InterruptedException {
            Optional<Address> sender = context.sender();
            if (sender.isEmpty()) {
                return Verdict.next(); // bounces have no domain to ask about
            }
            String domain = sender.get().normalizedDomain();
            Optional<String> answer = cache.get(domain);
            if (answer.isEmpty()) {
                metrics.count("cache.misses");
                try {
                    answer = Optional.of(ask(domain));
                    cache.put(domain, answer.get(), cacheFor);
                } catch (IOException e) {
                    metrics.count("lookups.failed");
                    log.log(System.Logger.Level.WARNING, "reputation lookup for {0} failed: {1}", domain, e.toString());
                    return failOpen ? Verdict.next() : Verdict.tempfail(451, "4.4.3", "Reputation service unavailable");
                }
            }
            return answer.get().equals("bad") ? Verdict.reject(550, "5.7.1", "Sender domain has a bad reputation")
                    : Verdict.next();
        }

        /** One blocking request; Moat runs stage calls on its worker pool, so blocking is fine. */
        private String ask(String domain) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(url.resolve("?domain=" + URLEncoder.encode(domain, UTF_8)))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + token)
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body().strip();
        }

        @Override
        public String toString() {
            return "http-reputation[" + url + "]"; // never the token
        }
    }
    // doc:end reputation
}
