package dev.moat.core.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the parsed YAML tree into a {@link MoatConfig}, block by block, in file order.
 *
 * <p>Each block first rejects keys it does not know, then reads its keys with their defaults, so
 * that a misspelt key is reported as such rather than as a missing value. Checks that involve
 * more than one value (unique names, a per-IP limit above the global one, a TLS mode and its
 * files) are made here too, where the key path of the offending value is known.
 */
final class ConfigReader {

    static final List<String> TOP_LEVEL_KEYS =
            List.of("server", "listeners", "limits", "filters", "routes", "capture", "admin", "auth", "plugins", "queue");
    static final List<String> PLUGINS_KEYS = List.of("directory", "on-error");
    static final List<String> ADMIN_KEYS = List.of("enabled", "address", "token", "public-metrics", "tls");
    static final List<String> ADMIN_TLS_KEYS = List.of("certificate", "key");
    static final List<String> SERVER_KEYS =
            List.of("hostname", "data-directory", "worker-threads", "shutdown-grace");
    static final List<String> LISTENER_KEYS = List.of("name", "address", "tls", "role", "proxy-protocol", "trusted-proxies");
    static final List<String> TLS_KEYS = List.of("mode", "certificate", "key", "additional-certificates", "reload-interval");
    static final List<String> CERTIFICATE_KEYS = List.of("certificate", "key");
    static final List<String> AUTH_KEYS = List.of("users-file", "sender-logins", "check-from-header",
            "received-shows-user", "reload-interval", "failure-window", "max-failures-per-ip", "max-failures-per-user",
            "block-duration", "failure-delay", "max-failure-delay");
    static final List<String> LIMITS_KEYS = List.of(
            "max-message-size",
            "max-recipients",
            "max-connections",
            "max-connections-per-ip",
            "idle-timeout",
            "command-timeout",
            "data-timeout",
            "max-invalid-commands",
            "max-command-line-length",
            "max-data-line-length",
            "memory-buffer",
            "bare-line-endings");
    static final List<String> ROUTE_KEYS = List.of("domains", "mode", "next-hops", "tls", "auth",
            "connect-timeout", "command-timeout", "data-timeout");
    static final List<String> ROUTE_TLS_KEYS = List.of("mode", "trust-file", "expected-name");
    static final List<String> ROUTE_AUTH_KEYS = List.of("username", "password", "password-file");
    static final List<String> INLINE_ONLY_ROUTE_KEYS = List.of("next-hops", "tls", "auth",
            "connect-timeout", "command-timeout", "data-timeout");
    static final List<String> CAPTURE_KEYS = List.of("max-messages", "max-age");
    static final List<String> QUEUE_KEYS = List.of("directory", "retry-schedule", "max-lifetime", "concurrency",
            "min-free-space", "idle-connection");

    private static final Pattern BRACKETED_ADDRESS = Pattern.compile("\\[([^\\]]*)\\]:([^:]*)");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final String ADDRESS_EXAMPLES = "(use host:port, e.g. 127.0.0.1:2525 or [::1]:2525)";

    private final EnvSubstitution env;

    ConfigReader(EnvSubstitution env) {
        this.env = env;
    }

    MoatConfig read(Object root) {
        if (root != null && !(root instanceof Map)) {
            throw new ConfigException("", "the document must be a map with the keys "
                    + String.join(", ", TOP_LEVEL_KEYS) + ", got " + Section.describe(root));
        }
        Section document = Section.block(root, "", env);
        document.allowOnly(TOP_LEVEL_KEYS);
        ServerConfig server = server(document.block("server"));
        List<ListenerConfig> listeners = listeners(document);
        LimitsConfig limits = limits(document.block("limits"));
        List<FilterConfig> filters = filters(document);
        List<RouteConfig> routes = routes(document);
        CaptureConfig capture = capture(document.block("capture"));
        AdminConfig admin = admin(document.block("admin"));
        AuthConfig auth = auth(document.block("auth"));
        for (int i = 0; i < listeners.size(); i++) {
            if (listeners.get(i).role().requiresAuth() && auth.usersFile().isEmpty()) {
                throw new ConfigException("auth.users-file", "required because listeners[" + i + "] has role "
                        + listeners.get(i).role().yamlName());
            }
        }
        PluginsConfig plugins = plugins(document.block("plugins"));
        QueueConfig queue = queue(document.block("queue"));
        return new MoatConfig(server, listeners, limits, filters, routes, capture, admin, auth, plugins, queue);
    }

    private ServerConfig server(Section s) {
        s.allowOnly(SERVER_KEYS);
        String hostname = s.text("hostname")
                .map(t -> {
                    if (!DomainNames.isValid(t.value())) {
                        throw s.error("hostname", t.shown()
                                + " is not a host name (letters, digits, hyphens and dots, e.g. mx.example.com)");
                    }
                    return t.value();
                })
                .orElseGet(ServerConfig::defaultHostname);
        Path dataDirectory = s.path("data-directory").orElse(ServerConfig.DEFAULT_DATA_DIRECTORY);
        int workerThreads = s.integer("worker-threads", ServerConfig.DEFAULT_WORKER_THREADS,
                ServerConfig.MIN_WORKER_THREADS, ServerConfig.MAX_WORKER_THREADS);
        Duration shutdownGrace = s.duration("shutdown-grace", ServerConfig.DEFAULT_SHUTDOWN_GRACE,
                Duration.ZERO, ServerConfig.MAX_SHUTDOWN_GRACE);
        return new ServerConfig(hostname, dataDirectory, workerThreads, shutdownGrace);
    }

    private List<ListenerConfig> listeners(Section document) {
        Optional<List<?>> entries = document.list("listeners");
        if (entries.isEmpty()) {
            return List.of(ListenerConfig.defaultListener());
        }
        if (entries.get().isEmpty()) {
            throw document.error("listeners", "at least one listener is required");
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, String> pathByName = new HashMap<>();
        Map<InetSocketAddress, String> pathByAddress = new HashMap<>();
        for (Object entry : entries.get()) {
            Section l = Section.entry(entry, "listeners[" + listeners.size() + "]", env);
            l.allowOnly(LISTENER_KEYS);
            Text name = l.requiredText("name");
            if (!ListenerConfig.NAME.matcher(name.value()).matches()) {
                throw l.error("name", name.shown()
                        + " is not a listener name (lowercase letters, digits and '-', e.g. mx or submission)");
            }
            String previous = pathByName.putIfAbsent(name.value(), l.path());
            if (previous != null) {
                throw l.error("name", name.shown() + " is already the name of " + previous);
            }
            Text addressText = l.requiredText("address");
            InetSocketAddress address = address(l, addressText);
            if (address.getPort() != 0) {
                String other = pathByAddress.putIfAbsent(address, l.path());
                if (other != null) {
                    throw l.error("address", addressText.shown() + " is already the address of " + other);
                }
            }
            TlsConfig tls = tls(l.block("tls"));
            ListenerRole role = l.choice("role", ListenerRole.MX, ListenerRole.values());
            role.requiredTlsMode().ifPresent(required -> {
                if (tls.mode() != required) {
                    throw new ConfigException(l.pathOf("tls") + ".mode", "a listener with role " + role.yamlName()
                            + " needs mode " + required.yamlName() + ", got " + tls.mode().yamlName());
                }
            });
            listeners.add(new ListenerConfig(name.value(), address, tls, role, proxyProtocol(l)));
        }
        return listeners;
    }

    private static InetSocketAddress address(Section l, Text text) {
        String value = text.value();
        String host;
        String port;
        Matcher bracketed = BRACKETED_ADDRESS.matcher(value);
        if (bracketed.matches()) {
            host = bracketed.group(1);
            port = bracketed.group(2);
            if (!host.contains(":")) {
                throw l.error("address", text.shown() + " is not an address: only IPv6 addresses go in brackets");
            }
        } else if (value.startsWith("[")) {
            throw l.error("address", text.shown() + " is not an address " + ADDRESS_EXAMPLES);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                throw l.error("address", text.shown() + " is not an address: the port is missing " + ADDRESS_EXAMPLES);
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.contains(":") || host.contains("[") || host.contains("]")) {
                throw l.error("address", text.shown()
                        + " is not an address: an IPv6 address must be in brackets, e.g. [::1]:2525");
            }
        }
        if (host.isEmpty()) {
            throw l.error("address", text.shown()
                    + " is not an address: the host is missing (0.0.0.0 or [::] listens on all addresses)");
        }
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65_535) {
            throw l.error("address", text.shown() + " is not an address: the port must be a number from 0 to 65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        } catch (UnknownHostException | SecurityException e) {
            throw new ConfigException(l.pathOf("address"), text.shown() + " is not an address: its host cannot be resolved", e);
        }
    }

    private ProxyProtocolConfig proxyProtocol(Section l) {
        boolean enabled = flag(l, "proxy-protocol", false);
        if (!enabled) {
            if (l.has("trusted-proxies")) {
                throw l.error("trusted-proxies", "only used with proxy-protocol: true");
            }
            return ProxyProtocolConfig.off();
        }
        List<?> entries = l.list("trusted-proxies").orElseThrow(() -> l.error("trusted-proxies",
                "required with proxy-protocol: true (the addresses of your proxies, e.g. [\"10.0.0.0/8\"])"));
        if (entries.isEmpty()) {
            throw l.error("trusted-proxies", "at least one proxy address or network is required");
        }
        List<Cidr> networks = new ArrayList<>();
        for (Object item : entries) {
            String itemPath = l.pathOf("trusted-proxies") + "[" + networks.size() + "]";
            Text text = l.text(item, itemPath, "an address or network such as 10.0.0.0/8");
            try {
                networks.add(Cidr.parse(text.value()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(itemPath, text.shown() + " is not a trusted proxy: " + e.getMessage());
            }
        }
        return new ProxyProtocolConfig(true, networks);
    }

    private AuthConfig auth(Section a) {
        a.allowOnly(AUTH_KEYS);
        AuthConfig d = AuthConfig.defaults();
        Optional<Path> users = a.has("users-file") ? Optional.of(readableFile(a, "users-file")) : Optional.empty();
        Optional<Path> senders = a.has("sender-logins") ? Optional.of(readableFile(a, "sender-logins")) : Optional.empty();
        Duration window = a.duration("failure-window", d.failureWindow(), Duration.ofSeconds(1), Duration.ofDays(1));
        Duration reload = a.duration("reload-interval", d.reloadInterval(), Duration.ZERO, Duration.ofDays(1));
        int perIp = a.integer("max-failures-per-ip", d.maxFailuresPerIp(), 1, 100_000);
        int perUser = a.integer("max-failures-per-user", d.maxFailuresPerUser(), 1, 100_000);
        Duration block = a.duration("block-duration", d.blockDuration(), Duration.ZERO, Duration.ofDays(7));
        Duration delay = a.duration("failure-delay", d.failureDelay(), Duration.ZERO, AuthConfig.MAX_MAX_FAILURE_DELAY);
        Duration maxDelay = a.duration("max-failure-delay", d.maxFailureDelay(), Duration.ZERO, AuthConfig.MAX_MAX_FAILURE_DELAY);
        return new AuthConfig(users, senders, flag(a, "check-from-header", false), flag(a, "received-shows-user", false),
                reload, window, perIp, perUser, block, delay, maxDelay);
    }

    private static Path readableFile(Section s, String key) {
        Text text = s.requiredText(key);
        Path file = s.toPath(key, text);
        if (!Files.isRegularFile(file)) {
            throw s.error(key, "file " + text.shown() + " does not exist or is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw s.error(key, "file " + text.shown() + " is not readable by this process");
        }
        return file;
    }

    private TlsConfig tls(Section t) {
        t.allowOnly(TLS_KEYS);
        TlsMode mode = t.choice("mode", TlsMode.NONE, TlsMode.values());
        if (mode == TlsMode.NONE) {
            for (String key : List.of("certificate", "key", "additional-certificates", "reload-interval")) {
                if (t.has(key)) {
                    throw t.error(key, "only used with mode starttls or implicit, but the mode is none");
                }
            }
            return TlsConfig.none();
        }
        Path certificate = readableFile(t, "certificate", mode);
        Path key = readableFile(t, "key", mode);
        List<TlsConfig.CertificateFiles> additional = new ArrayList<>();
        for (Object entry : t.list("additional-certificates").orElse(List.of())) {
            Section c = Section.entry(entry, t.pathOf("additional-certificates") + "[" + additional.size() + "]", env);
            c.allowOnly(CERTIFICATE_KEYS);
            additional.add(new TlsConfig.CertificateFiles(readableFile(c, "certificate", mode), readableFile(c, "key", mode)));
        }
        Duration reload = t.duration("reload-interval", TlsConfig.DEFAULT_RELOAD_INTERVAL, Duration.ZERO, Duration.ofDays(1));
        return new TlsConfig(mode, Optional.of(certificate), Optional.of(key), additional, reload);
    }

    private static Path readableFile(Section t, String key, TlsMode mode) {
        Text text = t.text(key).orElseThrow(() -> t.error(key, "required when the mode is " + mode.yamlName()));
        Path file = t.toPath(key, text);
        if (!Files.exists(file)) {
            throw t.error(key, "file " + text.shown() + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw t.error(key, text.shown() + " is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw t.error(key, "file " + text.shown() + " is not readable by this process");
        }
        return file;
    }

    private static LimitsConfig limits(Section s) {
        s.allowOnly(LIMITS_KEYS);
        long maxMessageSize = s.size("max-message-size", LimitsConfig.DEFAULT_MAX_MESSAGE_SIZE,
                LimitsConfig.MIN_MAX_MESSAGE_SIZE, LimitsConfig.MAX_MAX_MESSAGE_SIZE);
        int maxRecipients = s.integer("max-recipients", LimitsConfig.DEFAULT_MAX_RECIPIENTS,
                LimitsConfig.MIN_MAX_RECIPIENTS, LimitsConfig.MAX_MAX_RECIPIENTS);
        int maxConnections = s.integer("max-connections", LimitsConfig.DEFAULT_MAX_CONNECTIONS,
                1, LimitsConfig.MAX_MAX_CONNECTIONS);
        int maxConnectionsPerIp = s.integer("max-connections-per-ip", LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_IP,
                1, LimitsConfig.MAX_MAX_CONNECTIONS);
        if (maxConnectionsPerIp > maxConnections) {
            throw s.error("max-connections-per-ip", "'" + maxConnectionsPerIp
                    + "' is larger than max-connections (" + maxConnections + ")");
        }
        Duration idleTimeout = s.duration("idle-timeout", LimitsConfig.DEFAULT_IDLE_TIMEOUT,
                LimitsConfig.MIN_TIMEOUT, LimitsConfig.MAX_TIMEOUT);
        Duration commandTimeout = s.duration("command-timeout", LimitsConfig.DEFAULT_COMMAND_TIMEOUT,
                LimitsConfig.MIN_TIMEOUT, LimitsConfig.MAX_TIMEOUT);
        Duration dataTimeout = s.duration("data-timeout", LimitsConfig.DEFAULT_DATA_TIMEOUT,
                LimitsConfig.MIN_TIMEOUT, LimitsConfig.MAX_TIMEOUT);
        int maxInvalidCommands = s.integer("max-invalid-commands", LimitsConfig.DEFAULT_MAX_INVALID_COMMANDS,
                1, LimitsConfig.MAX_MAX_INVALID_COMMANDS);
        int maxCommandLineLength = s.integer("max-command-line-length", LimitsConfig.DEFAULT_MAX_COMMAND_LINE_LENGTH,
                LimitsConfig.DEFAULT_MAX_COMMAND_LINE_LENGTH, LimitsConfig.MAX_LINE_LENGTH);
        int maxDataLineLength = s.integer("max-data-line-length", LimitsConfig.DEFAULT_MAX_DATA_LINE_LENGTH,
                LimitsConfig.DEFAULT_MAX_DATA_LINE_LENGTH, LimitsConfig.MAX_LINE_LENGTH);
        int memoryBuffer = (int) s.size("memory-buffer", LimitsConfig.DEFAULT_MEMORY_BUFFER,
                0, LimitsConfig.MAX_MEMORY_BUFFER);
        BareLineEndings bareLineEndings = s.choice("bare-line-endings", LimitsConfig.DEFAULT_BARE_LINE_ENDINGS,
                BareLineEndings.values());
        return new LimitsConfig(maxMessageSize, maxRecipients, maxConnections, maxConnectionsPerIp,
                idleTimeout, commandTimeout, dataTimeout, maxInvalidCommands, maxCommandLineLength,
                maxDataLineLength, memoryBuffer, bareLineEndings);
    }

    private List<FilterConfig> filters(Section document) {
        List<?> entries = document.list("filters").orElse(List.of());
        List<FilterConfig> filters = new ArrayList<>();
        Map<String, String> pathByName = new HashMap<>();
        for (Object entry : entries) {
            int index = filters.size();
            Section f = Section.entry(entry, FilterConfig.keyPath(index), env);
            for (Object key : f.keys()) {
                if (!(key instanceof String)) {
                    throw f.error(key, "this key is " + Section.describe(key) + ", not a string (quote it)");
                }
            }
            Text type = f.requiredText("type");
            if (!FilterConfig.TYPE.matcher(type.value()).matches()) {
                throw f.error("type", type.shown()
                        + " is not a filter type (kebab-case: lowercase letters and digits in words joined by '-')");
            }
            Text name = f.text("name").orElse(type);
            if (!FilterConfig.NAME.matcher(name.value()).matches()) {
                throw f.error("name", name.shown() + " is not a filter name (lowercase letters, digits and '-')");
            }
            String previous = pathByName.putIfAbsent(name.value(), f.path());
            if (previous != null) {
                throw f.error("name", name.shown() + " is already the name of " + previous
                        + " (give each filter of the same type its own name)");
            }
            Duration timeout = f.duration("timeout", FilterConfig.DEFAULT_TIMEOUT,
                    Duration.ofMillis(1), FilterConfig.MAX_TIMEOUT);
            Map<String, Object> settings = new LinkedHashMap<>();
            for (Object key : f.keys()) {
                if (!FilterConfig.RESERVED_KEYS.contains(key)) {
                    settings.put((String) key, setting(f.raw((String) key), f.pathOf(key)));
                }
            }
            filters.add(new FilterConfig(name.value(), type.value(), timeout, settings));
        }
        return filters;
    }

    /** A filter setting as the YAML parser gave it, strings substituted, exotic types refused. */
    private Object setting(Object value, String keyPath) {
        if (value == null
                || value instanceof Integer
                || value instanceof Long
                || value instanceof BigInteger
                || value instanceof Double
                || value instanceof Boolean) {
            return value;
        }
        if (value instanceof String s) {
            return env.apply(s, keyPath).value();
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(setting(item, keyPath + "[" + copy.size() + "]"));
            }
            return copy;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String childPath = keyPath + "." + e.getKey();
                if (!(e.getKey() instanceof String key)) {
                    throw new ConfigException(childPath,
                            "this key is " + Section.describe(e.getKey()) + ", not a string (quote it)");
                }
                copy.put(key, setting(e.getValue(), childPath));
            }
            return copy;
        }
        throw new ConfigException(keyPath, "unsupported value: " + Section.describe(value)
                + " (use strings, numbers, booleans, lists and maps)");
    }

    private List<RouteConfig> routes(Section document) {
        Optional<List<?>> entries = document.list("routes");
        if (entries.isEmpty()) {
            return RouteConfig.defaults();
        }
        if (entries.get().isEmpty()) {
            throw document.error("routes", "at least one route is required");
        }
        List<RouteConfig> routes = new ArrayList<>();
        Map<String, String> routeByDomain = new HashMap<>();
        for (Object entry : entries.get()) {
            Section r = Section.entry(entry, "routes[" + routes.size() + "]", env);
            r.allowOnly(ROUTE_KEYS);
            List<?> domainEntries = r.list("domains")
                    .orElseThrow(() -> r.error("domains", r.has("domains") ? "no value given" : "required key is missing"));
            if (domainEntries.isEmpty()) {
                throw r.error("domains", "at least one domain is required");
            }
            List<String> domains = new ArrayList<>();
            for (Object item : domainEntries) {
                String itemPath = r.pathOf("domains") + "[" + domains.size() + "]";
                Text text = r.text(item, itemPath, "a domain");
                String domain = text.value().toLowerCase(Locale.ROOT);
                if (!RouteConfig.isValidPattern(domain)) {
                    throw new ConfigException(itemPath, text.shown()
                            + " is not a domain pattern (use *, example.com or *.example.com)");
                }
                String other = routeByDomain.putIfAbsent(domain, r.path());
                if (other != null) {
                    throw new ConfigException(itemPath, text.shown() + " is already routed by " + other);
                }
                domains.add(domain);
            }
            RouteMode mode = routeMode(r);
            if (!mode.usesNextHops()) {
                for (String key : INLINE_ONLY_ROUTE_KEYS) {
                    if (r.has(key)) {
                        throw r.error(key, "only used with the modes inline, queue and inline-then-queue, but the mode is "
                                + mode.yamlName());
                    }
                }
                routes.add(new RouteConfig(domains, mode));
                continue;
            }
            routes.add(new RouteConfig(domains, mode, nextHops(r), routeTls(r.block("tls")), routeAuth(r),
                    r.duration("connect-timeout", RouteConfig.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(10)),
                    r.duration("command-timeout", RouteConfig.DEFAULT_COMMAND_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(30)),
                    r.duration("data-timeout", RouteConfig.DEFAULT_DATA_TIMEOUT, Duration.ofMillis(1), Duration.ofHours(1))));
        }
        return routes;
    }

    private List<NextHop> nextHops(Section r) {
        List<?> entries = r.list("next-hops")
                .orElseThrow(() -> r.error("next-hops", "a route with mode " + r.text("mode").map(Text::value).orElse("")
                        + " needs next-hops, e.g. [\"smtp://10.0.0.5:25\"]"));
        if (entries.isEmpty()) {
            throw r.error("next-hops", "at least one next hop is required");
        }
        List<NextHop> hops = new ArrayList<>();
        for (Object item : entries) {
            String itemPath = r.pathOf("next-hops") + "[" + hops.size() + "]";
            Text text = r.text(item, itemPath, "a next hop such as smtp://10.0.0.5:25");
            try {
                hops.add(NextHop.parse(text.value()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(itemPath, text.shown() + " is not a next hop: " + e.getMessage());
            }
        }
        return hops;
    }

    private static NextHopTls routeTls(Section t) {
        t.allowOnly(ROUTE_TLS_KEYS);
        NextHopTlsMode mode = t.choice("mode", NextHopTlsMode.OPPORTUNISTIC, NextHopTlsMode.values());
        if (mode != NextHopTlsMode.VERIFY) {
            for (String key : List.of("trust-file", "expected-name")) {
                if (t.has(key)) {
                    throw t.error(key, "only used with mode verify, but the mode is " + mode.yamlName());
                }
            }
            return new NextHopTls(mode, Optional.empty(), Optional.empty());
        }
        Optional<Path> trust = Optional.empty();
        if (t.has("trust-file")) {
            Text text = t.requiredText("trust-file");
            Path file = t.toPath("trust-file", text);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw t.error("trust-file", "file " + text.shown() + " does not exist or is not readable");
            }
            trust = Optional.of(file);
        }
        return new NextHopTls(mode, trust, t.text("expected-name").map(Text::value));
    }

    private static Optional<NextHopAuth> routeAuth(Section r) {
        if (!r.has("auth")) {
            return Optional.empty();
        }
        Section a = r.block("auth");
        a.allowOnly(ROUTE_AUTH_KEYS);
        String username = a.requiredText("username").value();
        if (a.has("password") == a.has("password-file")) {
            throw a.error("password", "give exactly one of password (use ${ENV}) and password-file");
        }
        String password;
        if (a.has("password")) {
            password = a.requiredText("password").value();
        } else {
            Text text = a.requiredText("password-file");
            Path file = a.toPath("password-file", text);
            try {
                password = Files.readString(file).strip();
            } catch (java.io.IOException e) {
                throw a.error("password-file", "cannot read " + text.shown() + ": " + e.getClass().getSimpleName());
            }
        }
        return Optional.of(new NextHopAuth(username, password));
    }

    private static RouteMode routeMode(Section r) {
        Text mode = r.requiredText("mode");
        for (RouteMode candidate : RouteMode.values()) {
            if (candidate.yamlName().equals(mode.value())) {
                return candidate;
            }
        }
        throw r.error("mode", mode.shown() + " is not a route mode (use 'capture', 'inline', 'queue' or 'inline-then-queue')");
    }

    private static AdminConfig admin(Section a) {
        a.allowOnly(ADMIN_KEYS);
        boolean enabled = flag(a, "enabled", true);
        InetSocketAddress address = a.text("address").map(t -> address(a, t)).orElse(AdminConfig.defaults().address());
        Optional<String> token = a.text("token").map(Text::value);
        if (token.isPresent() && token.get().length() < AdminConfig.MIN_TOKEN_LENGTH) {
            throw a.error("token", "too short: use at least " + AdminConfig.MIN_TOKEN_LENGTH
                    + " random characters (e.g. from 'openssl rand -hex 24')");
        }
        if (enabled && token.isEmpty() && !AdminConfig.isLoopback(address)) {
            throw a.error("token", "required when admin.address is not a loopback address");
        }
        Optional<AdminConfig.Tls> tls = Optional.empty();
        if (a.has("tls")) {
            Section t = a.block("tls");
            t.allowOnly(ADMIN_TLS_KEYS);
            tls = Optional.of(new AdminConfig.Tls(adminFile(t, "certificate"), adminFile(t, "key")));
        }
        return new AdminConfig(enabled, address, token, flag(a, "public-metrics", true), tls);
    }

    private static Path adminFile(Section t, String key) {
        Text text = t.text(key).orElseThrow(() -> t.error(key, "required when admin.tls is set"));
        Path file = t.toPath(key, text);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw t.error(key, "file " + text.shown() + " does not exist or is not a readable regular file");
        }
        return file;
    }

    private static PluginsConfig plugins(Section p) {
        p.allowOnly(PLUGINS_KEYS);
        PluginsConfig.OnError onError = p.choice("on-error", PluginsConfig.OnError.FAIL, PluginsConfig.OnError.values());
        Optional<java.nio.file.Path> directory = p.path("directory");
        if (directory.isPresent()) {
            if (!java.nio.file.Files.isDirectory(directory.get())) {
                throw p.error("directory", "'" + directory.get() + "' is not a directory");
            }
            return new PluginsConfig(directory, true, onError);
        }
        return new PluginsConfig(PluginsConfig.defaultDirectory(), false, onError);
    }

    private static boolean flag(Section s, String key, boolean defaultValue) {
        if (!s.has(key)) {
            return defaultValue;
        }
        Object value = s.raw(key);
        if (value instanceof Boolean b) {
            return b;
        }
        throw s.error(key, "expected true or false, got " + Section.describe(value));
    }

    private static CaptureConfig capture(Section s) {
        s.allowOnly(CAPTURE_KEYS);
        int maxMessages = s.integer("max-messages", CaptureConfig.DEFAULT_MAX_MESSAGES, 1, Integer.MAX_VALUE);
        Duration maxAge = s.duration("max-age", CaptureConfig.DEFAULT_MAX_AGE,
                Duration.ofMillis(1), CaptureConfig.MAX_MAX_AGE);
        return new CaptureConfig(maxMessages, maxAge);
    }

    private static QueueConfig queue(Section q) {
        q.allowOnly(QUEUE_KEYS);
        Optional<Path> directory = q.path("directory");
        List<Duration> schedule = QueueConfig.DEFAULT_RETRY_SCHEDULE;
        if (q.has("retry-schedule")) {
            List<?> entries = q.list("retry-schedule").orElseThrow(() -> q.error("retry-schedule", "no value given"));
            if (entries.isEmpty()) {
                throw q.error("retry-schedule", "at least one wait is required, e.g. [1m, 5m, 15m, 1h]");
            }
            List<Duration> waits = new ArrayList<>();
            for (Object item : entries) {
                String itemPath = q.pathOf("retry-schedule") + "[" + waits.size() + "]";
                Text text = item instanceof Integer || item instanceof Long ? Text.literal(item.toString())
                        : q.text(item, itemPath, "a duration (e.g. 30s, 5m, 1h)");
                Duration d;
                try {
                    d = Units.parseDuration(text.value());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(itemPath, text.reword(e));
                }
                if (d.isZero() || d.compareTo(QueueConfig.MAX_MAX_LIFETIME) > 0) {
                    throw new ConfigException(itemPath, text.shown() + " must be more than 0 and at most 30d");
                }
                waits.add(d);
            }
            schedule = waits;
        }
        Duration maxLifetime = q.duration("max-lifetime", QueueConfig.DEFAULT_MAX_LIFETIME, Duration.ofMillis(1),
                QueueConfig.MAX_MAX_LIFETIME);
        int concurrency = q.integer("concurrency", QueueConfig.DEFAULT_CONCURRENCY, 1, QueueConfig.MAX_CONCURRENCY);
        long minFree = q.size("min-free-space", QueueConfig.DEFAULT_MIN_FREE_SPACE, 0, Long.MAX_VALUE);
        Duration idle = q.duration("idle-connection", QueueConfig.DEFAULT_IDLE_CONNECTION, Duration.ZERO, Duration.ofHours(1));
        return new QueueConfig(directory, schedule, maxLifetime, concurrency, minFree, idle);
    }
}
