package dev.moat.admin;

import dev.moat.core.Gateway;
import dev.moat.core.config.Units;
import dev.moat.core.queue.MessageQueue;
import dev.moat.core.queue.QueuedMessage;
import dev.moat.core.queue.RecipientState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue routes of the admin API, under {@code /api/v1/queue} (docs/admin-api.md):
 * <pre>
 * GET    /api/v1/queue                      list (filters: sender, recipient, route, state, min-age; limit, offset)
 * POST   /api/v1/queue/flush[?route=R]      make all (or one route's) messages due now
 * GET    /api/v1/queue/{id}                 one message: envelope, per-recipient state, attempts
 * DELETE /api/v1/queue/{id}                 remove it without delivery or bounce
 * POST   /api/v1/queue/{id}/{flush|hold|release|requeue}
 * </pre>
 * Called by {@link AdminHandler} after authorisation, on the admin server's threads.
 */
final class QueueApi {

    private static final Logger LOG = LoggerFactory.getLogger(QueueApi.class);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final Set<String> LIST_PARAMETERS = Set.of("sender", "recipient", "route", "state", "min-age", "limit", "offset");
    private static final Set<String> ACTIONS = Set.of("flush", "hold", "release", "requeue");

    private final Gateway gateway;
    private final Clock clock = Clock.systemUTC();

    QueueApi(Gateway gateway) {
        this.gateway = gateway;
    }

    /** Whether the path (segments after the leading slash) is one of the queue routes' namespace. */
    static boolean owns(String[] s) {
        return s.length >= 3 && s[0].equals("api") && s[1].equals("v1") && s[2].equals("queue");
    }

    void handle(Request request, Response response, Callback callback, String method, String[] s) throws Exception {
        MessageQueue queue = gateway.queue().orElseThrow(() -> ApiError.notFound(
                "this gateway has no queue: no route has mode queue or inline-then-queue"));
        if (s.length == 3) {
            allow(method, "GET");
            AdminHandler.json(response, callback, 200, list(queue, query(request)));
            return;
        }
        if (s.length == 4 && s[3].equals("flush")) {
            allow(method, "POST");
            Fields q = query(request);
            for (String name : q.getNames()) {
                if (!name.equals("route")) {
                    throw ApiError.badRequest("unknown query parameter '" + name + "' (known: route)");
                }
            }
            Optional<String> route = Optional.ofNullable(q.getValue("route"));
            int n = queue.flush(route);
            LOG.info("Admin API: {} flushed {} queued message(s){}", Request.getRemoteAddr(request), n,
                    route.map(r -> " of route " + r).orElse(""));
            AdminHandler.json(response, callback, 200, Json.map("flushed", n));
            return;
        }
        if (s.length == 4 && !s[3].isEmpty()) {
            String id = s[3];
            allow(method, "GET", "DELETE");
            QueuedMessage m = queue.find(id).orElseThrow(() -> noMessage(id));
            if (method.equals("DELETE")) {
                if (!queue.delete(id)) {
                    throw noMessage(id);
                }
                LOG.info("Admin API: {} deleted queued message {}", Request.getRemoteAddr(request), id);
                response.setStatus(204);
                callback.succeeded();
            } else {
                AdminHandler.json(response, callback, 200, detail(m));
            }
            return;
        }
        if (s.length == 5 && !s[3].isEmpty() && ACTIONS.contains(s[4])) {
            allow(method, "POST");
            String id = s[3];
            if (queue.find(id).isEmpty()) {
                throw noMessage(id);
            }
            boolean done = switch (s[4]) {
                case "flush" -> queue.flush(id);
                case "hold" -> queue.hold(id);
                case "release" -> queue.release(id);
                case "requeue" -> queue.requeue(id);
                default -> throw new AssertionError(s[4]);
            };
            if (!done) {
                throw new ApiError(409, "conflict", conflict(s[4], id));
            }
            LOG.info("Admin API: {} {} queued message {}", Request.getRemoteAddr(request), s[4], id);
            AdminHandler.json(response, callback, 200, detail(queue.find(id).orElseThrow(() -> noMessage(id))));
            return;
        }
        throw ApiError.notFound("no route /" + String.join("/", s) + "; see docs/admin-api.md");
    }

    private static String conflict(String action, String id) {
        return switch (action) {
            case "flush" -> "message '" + id + "' is held: release it first";
            case "release" -> "message '" + id + "' is not held";
            case "hold" -> "message '" + id + "' is being delivered right now; try again";
            default -> "message '" + id + "' is being delivered right now, or no route with next hops takes its recipients";
        };
    }

    private static void allow(String method, String... methods) throws ApiError {
        List<String> allowed = new ArrayList<>(List.of(methods));
        if (allowed.contains("GET")) {
            allowed.add(allowed.indexOf("GET") + 1, "HEAD");
        }
        if (!allowed.contains(method)) {
            String header = String.join(", ", allowed);
            throw new ApiError(405, "method_not_allowed", method + " is not allowed here; allowed: " + header)
                    .withHeader("Allow", header);
        }
    }

    private static Fields query(Request request) throws ApiError {
        return QueryParameters.of(request);
    }

    private Map<String, Object> list(MessageQueue queue, Fields q) throws ApiError {
        for (String name : q.getNames()) {
            if (!LIST_PARAMETERS.contains(name)) {
                throw ApiError.badRequest("unknown query parameter '" + name + "' (known: " + String.join(", ",
                        LIST_PARAMETERS.stream().sorted().toList()) + ")");
            }
        }
        String sender = lower(q.getValue("sender"));
        String recipient = lower(q.getValue("recipient"));
        String route = q.getValue("route");
        String state = q.getValue("state");
        if (state != null && !Set.of("held", "deferred", "active").contains(state)) {
            throw ApiError.badRequest("state must be held, deferred or active");
        }
        Duration minAge = Duration.ZERO;
        if (q.getValue("min-age") != null) {
            try {
                minAge = Units.parseDuration(q.getValue("min-age"));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("min-age: " + e.getMessage());
            }
        }
        int limit = integer(q, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = integer(q, "offset", 0, 0, Integer.MAX_VALUE);
        Instant now = clock.instant();
        List<Map<String, Object>> page = new ArrayList<>();
        int total = 0;
        for (QueuedMessage m : queue.list()) {
            if (sender != null && !m.envelope().sender().toLowerCase(Locale.ROOT).contains(sender)) {
                continue;
            }
            if (recipient != null && m.envelope().recipients().stream()
                    .noneMatch(r -> r.address().toLowerCase(Locale.ROOT).contains(recipient))) {
                continue;
            }
            if (route != null && !m.envelope().route().equals(route)) {
                continue;
            }
            if (state != null && !state.equals(state(m))) {
                continue;
            }
            if (Duration.between(m.envelope().receivedAt(), now).compareTo(minAge) < 0) {
                continue;
            }
            if (total >= offset && page.size() < limit) {
                page.add(summary(m, now));
            }
            total++;
        }
        return Json.map("total", total, "offset", offset, "limit", limit, "messages", page);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int integer(Fields q, String name, int dflt, int min, int max) throws ApiError {
        String v = q.getValue(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw ApiError.badRequest(name + " must be " + min + " to " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be an integer");
        }
    }

    /** held (an operator stopped it), active (a worker has it now) or deferred (waiting for its next attempt). */
    static String state(QueuedMessage m) {
        return m.state().held() ? "held" : m.inProgress() ? "active" : "deferred";
    }

    private Map<String, Object> summary(QueuedMessage m, Instant now) {
        long pending = m.state().recipients().stream().filter(r -> r.status() == RecipientState.Status.PENDING).count();
        return Json.map(
                "id", m.id(),
                "route", m.envelope().route(),
                "state", state(m),
                "sender", m.envelope().sender(),
                "recipients", m.envelope().recipients().stream().map(r -> r.address()).toList(),
                "pending", pending,
                "receivedAt", m.envelope().receivedAt().toString(),
                "ageSeconds", Duration.between(m.envelope().receivedAt(), now).toSeconds(),
                "size", m.size(),
                "attempts", m.state().attempts(),
                "nextAttempt", m.state().nextAttempt().toString(),
                "lastReply", m.state().recipients().stream().filter(r -> r.status() == RecipientState.Status.PENDING)
                        .map(r -> r.lastReply().orElse(null)).filter(r -> r != null).findFirst().orElse(null));
    }

    private Map<String, Object> detail(QueuedMessage m) {
        Map<String, Object> out = summary(m, clock.instant());
        out.put("lastAttempt", m.state().lastAttempt().map(Instant::toString).orElse(null));
        out.put("mailParameters", m.envelope().mailParameters());
        out.put("ret", m.envelope().ret().orElse(null));
        out.put("envid", m.envelope().envid().orElse(null));
        out.put("clientIp", m.envelope().clientIp());
        out.put("helo", m.envelope().helo());
        List<Map<String, Object>> rcpts = new ArrayList<>();
        for (RecipientState r : m.state().recipients()) {
            rcpts.add(Json.map("address", r.address(), "status", r.status().name().toLowerCase(Locale.ROOT),
                    "lastReply", r.lastReply().orElse(null), "remoteMta", r.remoteMta().orElse(null)));
        }
        out.put("recipients", rcpts);
        return out;
    }

    private static ApiError noMessage(String id) {
        return ApiError.notFound("there is no message '" + id + "' in the queue");
    }
}
