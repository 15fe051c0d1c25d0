package dev.moat.admin;

import dev.moat.core.Gateway;
import dev.moat.core.chain.FilterInstance;
import dev.moat.core.chain.Stage;
import dev.moat.core.config.ConfigException;
import dev.moat.core.config.FilterConfig;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.RouteConfig;
import dev.moat.core.config.Units;
import dev.moat.core.delivery.QuarantineRelease;
import dev.moat.core.plugin.FilterTypes;
import dev.moat.core.plugin.PluginReport;
import dev.moat.core.reload.Policy;
import dev.moat.core.smtp.Simulation;
import dev.moat.core.reload.ReloadReport;
import dev.moat.filter.FilterFactory;
import dev.moat.core.store.CaptureStore;
import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.StoredMessage;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of the admin server, on Jetty's core handler API (no servlets).
 *
 * <p>The web console's static files ({@code /console/}) are served first, without the token: they
 * hold no data. Order of checks for every other request: a declared body over {@link #MAX_BODY}
 * ({@link #MAX_SIMULATE_BODY} for the simulation) (413); the token on
 * {@code /api/} routes, and on {@code /metrics}, {@code /healthz}, {@code /readyz} unless metrics
 * are public (401 with {@code WWW-Authenticate}); the route (404) and the method (405 with
 * {@code Allow}); a chunked body over the limit (413). Errors are {@code {"error", "message"}}
 * JSON; an unexpected failure is logged and answered 500 without details.
 *
 * <p>Runs on the admin server's threads ({@code moat-admin-*}), where blocking is allowed: store
 * reads and the scrape are plain blocking calls.
 */
final class AdminHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    /** Requests carry no body; one larger than this is refused with 413. */
    static final int MAX_BODY = 64 * 1024;
    /** The body of {@code /api/v1/simulate}: an envelope and a message as a JSON string. */
    static final int MAX_SIMULATE_BODY = 4 * 1024 * 1024;

    static final String JSON = "application/json";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String REALM = "Bearer realm=\"moat\"";

    private static final List<String> STORES = List.of("capture", "quarantine");

    private final MoatConfig config;
    private final Gateway gateway;
    private final PrometheusMeterRegistry registry;
    private final Optional<byte[]> tokenDigest;
    private final Instant startedAt;
    private final long startedNanos;
    private final QueueApi queueApi;

    private final FilterTypes plugins;
    private final Map<String, FilterFactory> types;

    AdminHandler(MoatConfig config, Gateway gateway, PrometheusMeterRegistry registry, FilterTypes plugins,
            Map<String, FilterFactory> types) {
        this.config = config;
        this.gateway = gateway;
        this.registry = registry;
        this.plugins = plugins;
        this.types = Map.copyOf(types);
        this.tokenDigest = config.admin().token().map(AdminHandler::sha256);
        this.startedAt = Instant.now();
        this.startedNanos = System.nanoTime();
        this.queueApi = new QueueApi(gateway);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        try {
            serve(request, response, callback, method, path);
        } catch (ApiError e) {
            e.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            if (e.status() == 413) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            sendError(response, callback, e.status(), e.code(), e.getMessage());
        } catch (Exception | LinkageError | AssertionError e) {
            if (response.isCommitted()) {
                if (e instanceof IOException) {
                    // Mostly a client that went away in the middle of a download: nothing to fix here.
                    LOG.info("Admin API: {} {} from {} ended early: {}", method, path, Request.getRemoteAddr(request),
                            e.toString());
                } else {
                    LOG.warn("Admin API: {} {} failed after the response started", method, path, e);
                }
                callback.failed(e);
            } else {
                LOG.warn("Admin API: {} {} failed", method, path, e);
                sendError(response, callback, 500, "internal_error", "the request failed; the gateway log has the details");
            }
        }
        return true;
    }

    private void serve(Request request, Response response, Callback callback, String method, String path)
            throws Exception {
        boolean simulate = path.equals("/api/v1/simulate");
        if (request.getLength() > (simulate ? MAX_SIMULATE_BODY : MAX_BODY)) {
            throw simulate ? simulationTooLarge() : tooLarge();
        }
        boolean api = path.equals("/api") || path.startsWith("/api/");
        if (path.equals("/console") || path.startsWith("/console/")) {
            console(request, response, callback, method, path); // static files, no data: no token
            return;
        }
        if (api || !config.admin().publicMetrics()) {
            authorize(request);
        }
        String[] segments = path.length() > 1 ? path.substring(1).split("/", -1) : new String[0];
        if (QueueApi.owns(segments)) {
            refuseBody(request);
            queueApi.handle(request, response, callback, method, segments);
            return;
        }
        Route route = route(segments);
        if (!route.allows(method)) {
            throw new ApiError(405, "method_not_allowed", method + " is not allowed on " + path + "; allowed: "
                    + route.allowHeader()).withHeader("Allow", route.allowHeader());
        }
        if (route.kind != Kind.SIMULATE) {
            refuseBody(request);
        }
        switch (route.kind) {
            case METRICS -> metrics(request, response, callback);
            case HEALTH -> json(response, callback, 200, Json.map("status", "up"));
            case READY -> ready(response, callback);
            case STATUS -> json(response, callback, 200, status());
            case FILTERS -> json(response, callback, 200, Json.map("filters", filters(), "plugins", plugins()));
            case CONFIG -> json(response, callback, 200, ConfigView.of(gateway.config(), this::secretKeys));
            case RELOAD -> reload(request, response, callback);
            case LIST -> json(response, callback, 200, list(request, route.store));
            case MESSAGE -> {
                if (method.equals("DELETE")) {
                    delete(request, response, callback, route);
                } else {
                    json(response, callback, 200, message(route.store, route.id));
                }
            }
            case RAW -> raw(response, callback, route);
            case RELEASE -> release(request, response, callback, route.id);
            case PART -> part(response, callback, route);
            case SIMULATE -> simulate(request, response, callback);
            default -> throw new AssertionError(route.kind);
        }
    }

    // ---------------------------------------------------------------- routing

    private enum Kind { METRICS, HEALTH, READY, STATUS, FILTERS, CONFIG, RELOAD, LIST, MESSAGE, RAW, PART, RELEASE, SIMULATE }

    private record Route(Kind kind, List<String> methods, String storeName, CaptureStore store, String id) {

        boolean allows(String method) {
            return methods.contains(method) || (method.equals("HEAD") && methods.contains("GET"));
        }

        String allowHeader() {
            List<String> all = new ArrayList<>(methods);
            if (methods.contains("GET")) {
                all.add(all.indexOf("GET") + 1, "HEAD");
            }
            return String.join(", ", all);
        }
    }

    private Route route(String[] s) throws ApiError {
        List<String> get = List.of("GET");
        if (s.length == 1) {
            switch (s[0]) {
                case "metrics" -> {
                    return new Route(Kind.METRICS, get, null, null, null);
                }
                case "healthz" -> {
                    return new Route(Kind.HEALTH, get, null, null, null);
                }
                case "readyz" -> {
                    return new Route(Kind.READY, get, null, null, null);
                }
                default -> {
                    // not found below
                }
            }
        }
        if (s.length >= 3 && s[0].equals("api") && s[1].equals("v1")) {
            if (s.length == 3) {
                switch (s[2]) {
                    case "status" -> {
                        return new Route(Kind.STATUS, get, null, null, null);
                    }
                    case "filters" -> {
                        return new Route(Kind.FILTERS, get, null, null, null);
                    }
                    case "config" -> {
                        return new Route(Kind.CONFIG, get, null, null, null);
                    }
                    default -> {
                        // not found below
                    }
                }
            }
            if (s.length == 3 && s[2].equals("simulate")) {
                return new Route(Kind.SIMULATE, List.of("POST"), null, null, null);
            }
            if (s.length == 4 && s[2].equals("config") && s[3].equals("reload")) {
                return new Route(Kind.RELOAD, List.of("POST"), null, null, null);
            }
            if (s.length == 7 && s[3].equals("messages") && s[5].equals("parts") && STORES.contains(s[2])
                    && !s[4].isEmpty() && s[6].matches("[0-9]{1,4}")) {
                CaptureStore store = s[2].equals("capture") ? gateway.captureStore() : gateway.quarantineStore();
                return new Route(Kind.PART, get, s[2], store, s[4] + "/" + s[6]);
            }
            if (s.length >= 4 && s.length <= 6 && s[3].equals("messages")) {
                if (!STORES.contains(s[2])) {
                    throw ApiError.notFound("there is no store '" + s[2] + "'; the stores are capture and quarantine");
                }
                CaptureStore store = s[2].equals("capture") ? gateway.captureStore() : gateway.quarantineStore();
                if (s.length == 4) {
                    return new Route(Kind.LIST, get, s[2], store, null);
                }
                if (!s[4].isEmpty() && s.length == 5) {
                    return new Route(Kind.MESSAGE, List.of("GET", "DELETE"), s[2], store, s[4]);
                }
                if (!s[4].isEmpty() && s[5].equals("raw")) {
                    return new Route(Kind.RAW, get, s[2], store, s[4]);
                }
                if (!s[4].isEmpty() && s[5].equals("release")) {
                    if (!s[2].equals("quarantine")) {
                        throw ApiError.notFound("only quarantined messages are released; see docs/admin-api.md");
                    }
                    return new Route(Kind.RELEASE, List.of("POST"), s[2], store, s[4]);
                }
            }
        }
        throw ApiError.notFound("no route " + "/" + String.join("/", s) + "; see docs/admin-api.md");
    }

    // ---------------------------------------------------------------- checks

    private void authorize(Request request) throws ApiError {
        if (tokenDigest.isEmpty()) {
            throw new ApiError(401, "unauthorized",
                    "no admin token is configured: set admin.token in the configuration to use this route")
                    .withHeader("WWW-Authenticate", REALM);
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String presented = null;
        if (header != null && header.length() > 7 && header.substring(0, 7).equalsIgnoreCase("bearer ")) {
            presented = header.substring(7).strip();
        }
        if (presented == null) {
            throw new ApiError(401, "unauthorized", "this route needs the header Authorization: Bearer <admin.token>")
                    .withHeader("WWW-Authenticate", REALM);
        }
        // Both sides hashed first: equal lengths, so the comparison time says nothing about the token.
        if (!MessageDigest.isEqual(sha256(presented), tokenDigest.get())) {
            throw new ApiError(401, "unauthorized", "the bearer token is not valid")
                    .withHeader("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
        }
    }

    /** A body without a declared length (chunked) is read up to the limit and dropped. */
    private static void refuseBody(Request request) throws IOException, ApiError {
        if (request.getLength() >= 0 || !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            return;
        }
        InputStream in = Content.Source.asInputStream(request);
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > MAX_BODY) {
                throw tooLarge();
            }
        }
    }

    private static ApiError simulationTooLarge() {
        return new ApiError(413, "payload_too_large", "a simulation's body is at most " + MAX_SIMULATE_BODY / (1024 * 1024)
                + " MiB");
    }

    /** Reads a body up to {@code limit} bytes (declared or chunked); over it is a 413. */
    private static byte[] readBody(Request request, int limit) throws IOException, ApiError {
        InputStream in = Content.Source.asInputStream(request);
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.max(0, (int) Math.min(request.getLength(), limit)));
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            body.write(buffer, 0, n);
            if (body.size() > limit) {
                throw simulationTooLarge();
            }
        }
        return body.toByteArray();
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "payload_too_large", "these routes take no request body (at most "
                + MAX_BODY / 1024 + " KiB is tolerated)");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    // ---------------------------------------------------------------- routes

    private void metrics(Request request, Response response, Callback callback) throws IOException {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        String type = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        registry.scrape(body, type);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.toByteArray()), callback);
    }

    private void ready(Response response, Callback callback) {
        Map<String, InetSocketAddress> bound;
        try {
            bound = gateway.boundAddresses();
        } catch (RuntimeException stopped) {
            bound = Map.of();
        }
        List<String> missing = new ArrayList<>();
        for (var listener : config.listeners()) {
            if (!bound.containsKey(listener.name())) {
                missing.add(listener.name());
            }
        }
        if (missing.isEmpty()) {
            json(response, callback, 200, Json.map("status", "ready"));
        } else {
            json(response, callback, 503, Json.map("status", "unavailable",
                    "message", "listeners not bound: " + String.join(", ", missing)));
        }
    }

    private Map<String, Object> status() throws IOException {
        Map<String, Object> listeners = new LinkedHashMap<>();
        Map<String, InetSocketAddress> bound = gateway.boundAddresses();
        config.listeners().forEach(l -> {
            InetSocketAddress a = bound.get(l.name());
            listeners.put(l.name(), a == null ? null : ConfigView.address(a));
        });
        List<Map<String, Object>> routes = new ArrayList<>();
        Policy policy = gateway.policies().current();
        for (RouteConfig r : policy.routes()) {
            routes.add(Json.map("domains", r.domains(), "mode", r.mode().yamlName(),
                    "nextHops", r.nextHops().stream().map(Object::toString).toList()));
        }
        return Json.map(
                "version", version(),
                "startedAt", startedAt.toString(),
                "uptimeSeconds", Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds(),
                "listeners", listeners,
                "routes", routes,
                "configuration", Json.map(
                        "file", gateway.source().file().map(Object::toString).orElse(null),
                        "generation", policy.generation(),
                        "loadedAt", policy.loadedAt().toString(),
                        "previousGenerationsInUse", gateway.policies().retiredInUse()),
                "counts", Json.map(
                        "capture", gateway.captureStore().count(),
                        "quarantine", gateway.quarantineStore().count(),
                        "spoolFiles", gateway.spoolFiles()));
    }

    /** As {@code moat --version}: the core jar's Implementation-Version, or {@code development}. */
    static String version() {
        String v = Gateway.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }

    private List<Map<String, Object>> filters() {
        Policy policy = gateway.policies().current();
        Map<String, FilterConfig> configured = new LinkedHashMap<>();
        policy.filters().forEach(f -> configured.put(f.name(), f));
        List<Map<String, Object>> out = new ArrayList<>();
        for (FilterInstance f : policy.chain().filters()) {
            List<String> stages = new ArrayList<>();
            for (Stage stage : Stage.values()) {
                if (f.stages().contains(stage)) {
                    stages.add(stage.label());
                }
            }
            FilterConfig c = configured.get(f.name());
            out.add(Json.map(
                    "name", f.name(),
                    "type", f.type(),
                    "timeout", Units.formatDuration(f.timeout()),
                    "stages", stages,
                    "settings", c == null ? Map.of() : ConfigView.maskedSettings(c.settings(), secretKeys(f.type()))));
        }
        return out;
    }

    /** The setting keys a filter type declares secret; none for an unknown type. */
    private java.util.Set<String> secretKeys(String type) {
        FilterFactory factory = types.get(type);
        return factory == null ? java.util.Set.of() : factory.secretKeys();
    }

    /** Every plugin considered at start-up, loaded or skipped, with the reason of a skip. */
    private List<Map<String, Object>> plugins() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PluginReport p : plugins.plugins()) {
            out.add(Json.map(
                    "name", p.name(),
                    "source", p.source(),
                    "apiVersion", p.apiVersion().orElse(null),
                    "status", p.status(),
                    "types", p.types(),
                    "problem", p.problem().orElse(null)));
        }
        return out;
    }

    /**
     * Re-reads the configuration file and applies its filters and routes; a bad file is a 400 whose
     * message starts with the key path. Changes to sections only a restart applies are listed.
     */
    private void reload(Request request, Response response, Callback callback) throws ApiError {
        if (gateway.source().file().isEmpty()) {
            throw new ApiError(409, "not_reloadable",
                    "the gateway was started without a configuration file (moat --config FILE); there is nothing to reload");
        }
        String who = Request.getRemoteAddr(request);
        ReloadReport report;
        try {
            report = gateway.reload();
        } catch (ConfigException e) {
            LOG.warn("Admin API: reload requested by {} refused: {}", who, e.getMessage());
            throw new ApiError(400, "invalid_config", e.getMessage());
        }
        LOG.info("Admin API: {} reloaded the configuration (generation {})", who, report.generation());
        String message = report.restartRequired().isEmpty()
                ? "filters and routes reloaded"
                : "filters and routes reloaded; changes to " + String.join(", ", report.restartRequired())
                        + " were NOT applied: they take effect only after a restart";
        json(response, callback, 200, Json.map(
                "generation", report.generation(),
                "loadedAt", report.loadedAt().toString(),
                "applied", ReloadReport.APPLIED,
                "filtersChanged", report.filtersChanged(),
                "routesChanged", report.routesChanged(),
                "restartRequired", report.restartRequired(),
                "message", message));
    }

    private static Map<String, Object> list(Request request, CaptureStore store) throws ApiError, IOException {
        Fields query = QueryParameters.of(request);
        return MessageQuery.parse(query.getNames(), query::getValue).run(store);
    }

    private static Map<String, Object> message(CaptureStore store, String id) throws ApiError, IOException {
        StoredMessage stored = store.find(id).orElseThrow(() -> noMessage(id));
        try {
            CapturedEnvelope envelope = store.readEnvelope(id);
            Map<String, Object> structure;
            try (InputStream in = store.openMessage(id)) {
                structure = MessageStructure.walk(in);
            }
            Map<String, Object> out = Json.map(
                    "id", stored.id(),
                    "receivedAt", stored.receivedAt().toString(),
                    "size", stored.size(),
                    "envelope", MessageQuery.envelope(envelope));
            out.putAll(structure);
            return out;
        } catch (NoSuchFileException deletedMeanwhile) {
            throw noMessage(id);
        }
    }

    private static void raw(Response response, Callback callback, Route route) throws ApiError, IOException {
        StoredMessage stored = route.store.find(route.id).orElseThrow(() -> noMessage(route.id));
        InputStream in;
        try {
            in = route.store.openMessage(route.id);
        } catch (NoSuchFileException deletedMeanwhile) {
            throw noMessage(route.id);
        }
        try (in) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "message/rfc822");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, stored.size());
            response.getHeaders().put("Content-Disposition", "inline; filename=\"" + stored.id() + ".eml\"");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            try (OutputStream out = new BufferedOutputStream(Content.Sink.asOutputStream(response), 64 * 1024)) {
                in.transferTo(out);
            }
        }
        callback.succeeded();
    }

    /**
     * One entity's body, transfer-decoded: text re-encoded as UTF-8 and always served as
     * {@code text/plain} (an HTML part is never rendered on the admin origin), anything else as
     * {@code application/octet-stream}; always as an attachment, with {@code nosniff} and a
     * sandboxing CSP.
     */
    private static void part(Response response, Callback callback, Route route) throws ApiError, IOException {
        String id = route.id.substring(0, route.id.indexOf('/'));
        int index = Integer.parseInt(route.id.substring(route.id.indexOf('/') + 1));
        if (route.store.find(id).isEmpty()) {
            throw noMessage(id);
        }
        InputStream in;
        try {
            in = route.store.openMessage(id);
        } catch (NoSuchFileException deletedMeanwhile) {
            throw noMessage(id);
        }
        try (in) {
            var found = PartContent.open(in, index);
            if (found.isEmpty()) {
                throw ApiError.notFound("message '" + id + "' has no entity " + index + " with a body of its own");
            }
            try (PartContent.Body body = found.get()) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE,
                        body.text() ? "text/plain; charset=utf-8" : "application/octet-stream");
                response.getHeaders().put("Content-Disposition", "attachment; filename=\"" + id + "-" + index + "\"");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                response.getHeaders().put("X-Content-Type-Options", "nosniff");
                response.getHeaders().put("Content-Security-Policy", "sandbox; default-src 'none'");
                try (OutputStream out = new BufferedOutputStream(Content.Sink.asOutputStream(response), 64 * 1024)) {
                    if (body.text()) {
                        var writer = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
                        new java.io.InputStreamReader(body.content(), body.charset()).transferTo(writer);
                        writer.flush();
                    } else {
                        body.content().transferTo(out);
                    }
                }
            }
        }
        callback.succeeded();
    }

    private static void delete(Request request, Response response, Callback callback, Route route)
            throws ApiError, IOException {
        if (route.store.find(route.id).isEmpty()) {
            throw noMessage(route.id);
        }
        if (!route.store.delete(route.id)) {
            throw new ApiError(409, "conflict", "message '" + route.id + "' is being written or deleted right now; try again");
        }
        LOG.info("Admin API: {} deleted message {} from the {} store", actor(request), route.id, route.storeName);
        response.setStatus(204);
        callback.succeeded();
    }

    /**
     * Who made a request, for the audit log: there is one token, so the identity is "the token
     * holder" and the client address tells the holders apart.
     */
    static String actor(Request request) {
        return "admin token holder at " + Request.getRemoteAddr(request);
    }

    /** Delivers a quarantined message through its route; it leaves the quarantine only once delivered. */
    private void release(Request request, Response response, Callback callback, String id) throws ApiError {
        QuarantineRelease.Outcome outcome = gateway.quarantineRelease().release(id, actor(request));
        Map<String, Object> reply = outcome.reply().map(r -> Json.map("code", r.code(),
                "enhancedStatus", r.enhancedStatus(), "text", r.text())).orElse(null);
        switch (outcome.status()) {
            case RELEASED -> json(response, callback, 200, Json.map("id", id, "released", true,
                    "route", outcome.route().orElse(null), "mode", outcome.mode().orElse(null), "reply", reply,
                    "message", outcome.message()));
            case NOT_FOUND -> throw noMessage(id);
            case BUSY -> throw new ApiError(409, "conflict", outcome.message() + "; try again");
            case NO_ROUTE -> throw new ApiError(409, "no_route", outcome.message() + "; the message stays in the quarantine");
            case FAILED -> throw new ApiError(502, "release_failed", outcome.message());
            default -> throw new AssertionError(outcome.status());
        }
    }

    /** The web console's static files: {@code /console} redirects to {@code /console/}, the page. */
    private static void console(Request request, Response response, Callback callback, String method, String path)
            throws ApiError, IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new ApiError(405, "method_not_allowed", method + " is not allowed on " + path + "; allowed: GET, HEAD")
                    .withHeader("Allow", "GET, HEAD");
        }
        refuseBody(request);
        if (path.equals("/console")) {
            response.setStatus(308);
            response.getHeaders().put(HttpHeader.LOCATION, "/console/");
            callback.succeeded();
            return;
        }
        ConsoleFiles.File file = ConsoleFiles.find(path.substring("/console/".length()))
                .orElseThrow(() -> ApiError.notFound("no console file " + path));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, file.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("Content-Security-Policy", ConsoleFiles.CSP);
        if (method.equals("HEAD")) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, file.bytes().length);
            callback.succeeded();
            return;
        }
        response.write(true, ByteBuffer.wrap(file.bytes()), callback);
    }

    /** Runs the given session through the current filters and routes; delivers nothing. */
    private void simulate(Request request, Response response, Callback callback) throws ApiError, IOException {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(JSON)) {
            throw new ApiError(415, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)");
        }
        Simulation.Request input = SimulationRequest.parse(readBody(request, MAX_SIMULATE_BODY), gateway.config());
        Simulation.Result result;
        try {
            result = gateway.simulate(input);
        } catch (ConfigException e) {
            throw new ApiError(409, "conflict", "the current filters cannot be built for a simulation: " + e.getMessage());
        }
        LOG.info("Admin API: {} simulated a session from {}: {} at {}", actor(request),
                input.client().getAddress().getHostAddress(), result.outcome(), result.stage());
        json(response, callback, 200, SimulationView.of(result));
    }

    private static ApiError noMessage(String id) {
        return ApiError.notFound("there is no message '" + id + "' in this store");
    }

    // ---------------------------------------------------------------- output

    static void json(Response response, Callback callback, int status, Object body) {
        byte[] bytes = Json.bytes(body);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    static void sendError(Response response, Callback callback, int status, String code, String message) {
        json(response, callback, status, Json.map("error", code, "message", message));
    }
}
