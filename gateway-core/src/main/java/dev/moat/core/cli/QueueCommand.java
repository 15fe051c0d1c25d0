package dev.moat.core.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.core.config.ConfigException;
import dev.moat.core.config.ConfigLoader;
import dev.moat.core.config.MoatConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code moat queue …}: the queue operations for shell users (like Postfix's {@code postqueue} and
 * {@code postsuper}), as calls to the running gateway's admin API. The API's address and token come
 * from {@code --config FILE} (its {@code admin} block), else from the environment variables
 * {@code MOAT_ADMIN_URL} (default {@code http://127.0.0.1:8025}) and {@code MOAT_ADMIN_TOKEN}.
 * Exit codes: 0 done, 1 refused or failed (the API's message is printed), 2 usage error.
 */
public final class QueueCommand {

    static final String USAGE = """
            usage: moat queue [--config FILE] list [--sender S] [--recipient R] [--route R] [--state held|deferred|active]
                                                   [--min-age DURATION] [--limit N] [--offset N]
                   moat queue [--config FILE] show ID
                   moat queue [--config FILE] flush [ID | --route ROUTE]
                   moat queue [--config FILE] hold ID | release ID | requeue ID | delete ID
            The admin API is found through --config FILE, else MOAT_ADMIN_URL and MOAT_ADMIN_TOKEN.
            """;
    private static final Set<String> LIST_OPTIONS = Set.of("sender", "recipient", "route", "state", "min-age", "limit", "offset");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final Optional<String> token;
    private final PrintStream out;
    private final PrintStream err;
    private final HttpClient http;

    private QueueCommand(String base, Optional<String> token, Optional<javax.net.ssl.SSLContext> tls, PrintStream out,
            PrintStream err) {
        this.base = base;
        this.token = token;
        this.out = out;
        this.err = err;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        tls.ifPresent(b::sslContext);
        this.http = b.build();
    }

    /**
     * Trusts exactly the admin server's own certificate file (admin.tls.certificate), so that the CLI
     * can talk HTTPS to a gateway with a self-signed admin certificate; its name must match the address.
     */
    private static javax.net.ssl.SSLContext trusting(Path certificateFile) throws java.security.GeneralSecurityException, IOException {
        java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        trust.load(null, null);
        int n = 0;
        try (var in = java.nio.file.Files.newInputStream(certificateFile)) {
            for (var cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("admin-" + n++, cert);
            }
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Runs {@code args} (what follows {@code queue}); returns the exit code. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(args);
        String base = env.getOrDefault("MOAT_ADMIN_URL", "http://127.0.0.1:8025");
        Optional<String> token = Optional.ofNullable(env.get("MOAT_ADMIN_TOKEN"));
        Optional<javax.net.ssl.SSLContext> tls = Optional.empty();
        if (rest.size() >= 2 && rest.get(0).equals("--config")) {
            try {
                MoatConfig config = ConfigLoader.load(Path.of(rest.get(1)));
                var a = config.admin().address();
                String host = a.getAddress() != null && a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
                String scheme = config.admin().tls().isPresent() ? "https://" : "http://";
                base = scheme + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
                token = config.admin().token().or(() -> Optional.ofNullable(env.get("MOAT_ADMIN_TOKEN")));
                if (config.admin().tls().isPresent()) {
                    tls = Optional.of(trusting(config.admin().tls().get().certificate()));
                }
            } catch (ConfigException e) {
                err.println("moat: configuration error in " + rest.get(1) + ": " + e.getMessage());
                return 1;
            } catch (IOException | java.security.GeneralSecurityException e) {
                err.println("moat: cannot read the admin certificate: " + e.getMessage());
                return 1;
            }
            rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        QueueCommand command = new QueueCommand(base.endsWith("/") ? base.substring(0, base.length() - 1) : base, token, tls,
                out, err);
        try {
            return command.dispatch(rest.get(0), rest.subList(1, rest.size()));
        } catch (ConnectException e) {
            err.println("moat: cannot reach the admin API at " + command.base + " (is the gateway running, and admin.enabled?)");
            return 1;
        } catch (IOException e) {
            err.println("moat: admin API at " + command.base + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int dispatch(String verb, List<String> a) throws IOException, InterruptedException {
        switch (verb) {
            case "list" -> {
                StringBuilder query = new StringBuilder();
                for (int i = 0; i < a.size(); i += 2) {
                    String option = a.get(i);
                    if (!option.startsWith("--") || !LIST_OPTIONS.contains(option.substring(2)) || i + 1 >= a.size()) {
                        return usage("unknown or incomplete option for list: " + option);
                    }
                    query.append(query.length() == 0 ? "?" : "&").append(option.substring(2)).append('=')
                            .append(URLEncoder.encode(a.get(i + 1), StandardCharsets.UTF_8));
                }
                HttpResponse<String> r = call("GET", "/api/v1/queue" + query);
                if (r.statusCode() != 200) {
                    return failed(r);
                }
                printList(JSON.readTree(r.body()));
                return 0;
            }
            case "show" -> {
                if (a.size() != 1) {
                    return usage("show takes one message id");
                }
                HttpResponse<String> r = call("GET", "/api/v1/queue/" + id(a.get(0)));
                if (r.statusCode() != 200) {
                    return failed(r);
                }
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(r.body())));
                return 0;
            }
            case "flush" -> {
                HttpResponse<String> r;
                if (a.isEmpty()) {
                    r = call("POST", "/api/v1/queue/flush");
                } else if (a.size() == 2 && a.get(0).equals("--route")) {
                    r = call("POST", "/api/v1/queue/flush?route=" + URLEncoder.encode(a.get(1), StandardCharsets.UTF_8));
                } else if (a.size() == 1 && !a.get(0).startsWith("-")) {
                    r = call("POST", "/api/v1/queue/" + id(a.get(0)) + "/flush");
                } else {
                    return usage("flush takes nothing, a message id, or --route ROUTE");
                }
                if (r.statusCode() != 200) {
                    return failed(r);
                }
                JsonNode body = JSON.readTree(r.body());
                out.println(body.has("flushed") ? "moat: " + body.path("flushed").asInt() + " message(s) due now"
                        : "moat: " + a.get(0) + " due now");
                return 0;
            }
            case "hold", "release", "requeue", "delete" -> {
                if (a.size() != 1) {
                    return usage(verb + " takes one message id");
                }
                HttpResponse<String> r = verb.equals("delete") ? call("DELETE", "/api/v1/queue/" + id(a.get(0)))
                        : call("POST", "/api/v1/queue/" + id(a.get(0)) + "/" + verb);
                if (r.statusCode() / 100 != 2) {
                    return failed(r);
                }
                out.println("moat: " + a.get(0) + ": " + Map.of("hold", "held", "release", "released", "requeue", "requeued",
                        "delete", "deleted").get(verb));
                return 0;
            }
            default -> {
                return usage("unknown queue command '" + verb + "'");
            }
        }
    }

    private void printList(JsonNode body) {
        JsonNode messages = body.path("messages");
        if (messages.isEmpty()) {
            out.println("Queue is empty" + (body.path("total").asInt() > 0 ? " on this page" : ""));
            return;
        }
        out.printf("%-24s %-9s %8s %10s %8s  %s%n", "ID", "STATE", "AGE", "SIZE", "ATTEMPTS", "SENDER / RECIPIENTS");
        for (JsonNode m : messages) {
            out.printf("%-24s %-9s %8s %10d %8d  <%s>%n", m.path("id").asText(), m.path("state").asText(),
                    age(m.path("ageSeconds").asLong()), m.path("size").asLong(), m.path("attempts").asInt(),
                    m.path("sender").asText());
            if (m.hasNonNull("lastReply")) {
                out.println("    (" + m.path("lastReply").asText() + ")");
            }
            for (JsonNode r : m.path("recipients")) {
                out.println("    " + r.asText());
            }
        }
        int total = body.path("total").asInt();
        out.println("-- " + total + " message(s)" + (total > messages.size()
                ? ", shown " + (body.path("offset").asInt() + 1) + " to " + (body.path("offset").asInt() + messages.size()) : ""));
    }

    private static String age(long seconds) {
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 7200) {
            return seconds / 60 + "m";
        }
        return seconds < 172800 ? seconds / 3600 + "h" : seconds / 86400 + "d";
    }

    private static String id(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> call(String method, String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int failed(HttpResponse<String> r) {
        String message;
        try {
            message = JSON.readTree(r.body()).path("message").asText(r.body());
        } catch (IOException e) {
            message = r.body();
        }
        err.println("moat: " + r.statusCode() + ": " + message);
        return 1;
    }

    private int usage(String problem) {
        err.println("moat: " + problem);
        err.print(USAGE);
        return 2;
    }
}
