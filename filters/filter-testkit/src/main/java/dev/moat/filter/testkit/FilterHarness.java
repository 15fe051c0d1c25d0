package dev.moat.filter.testkit;

import dev.moat.core.chain.ConfiguredFilterSettings;
import dev.moat.core.chain.ConfiguredFilterSetup;
import dev.moat.core.chain.MicrometerFilterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.moat.core.chain.MapNotes;
import dev.moat.core.config.LimitsConfig;
import dev.moat.core.config.Units;
import dev.moat.core.message.MessageAssembler;
import dev.moat.core.message.Spool;
import dev.moat.core.message.SpooledMessage;
import dev.moat.core.message.SpooledMessageView;
import dev.moat.filter.Address;
import dev.moat.filter.Envelope;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.StateStore;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Notes;
import dev.moat.filter.SessionInfo;
import dev.moat.filter.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Runs one filter through the SMTP stages in-process, on the test thread, with the same context types,
 * mutation rules and message classes as the gateway; no sockets, no threads, no timeouts.
 *
 * <pre>{@code
 * try (FilterHarness h = FilterHarness.of(new SizeLimitFactory(), Map.of("max", "1KB"))) {
 *     assertNext(h.connect());
 *     assertNext(h.helo("client.example"));
 *     assertNext(h.mailFrom("alice@example.org").verdict());
 *     assertNext(h.rcptTo("bob@example.com").verdict());
 *     assertReject(h.data("Subject: big\n\n" + "x".repeat(2000) + "\n").verdict(), 552, "5.3.4");
 * }
 * }</pre>
 *
 * <h2>What it mirrors</h2>
 * <ul>
 *   <li>Settings: {@link #of(FilterFactory, Map)} rejects unknown keys and parses values through the
 *       gateway's own {@code ConfiguredFilterSettings} (sizes, durations, booleans, lists).</li>
 *   <li>Mutations (sender/recipient rewrites, DATA header and envelope edits) are recorded in the
 *       context and applied after the call only if the verdict is not reject/tempfail.</li>
 *   <li>MAIL FROM starts a new transaction (fresh envelope and transaction notes); RSET
 *       ({@link #reset()}) and a successful HELO/EHLO end it. Accepted recipients accumulate after
 *       rewriting, without duplicates. After DATA the transaction is over: call {@link #mailFrom}
 *       again for the next message.</li>
 *   <li>DATA gets a real {@code SpooledMessageView} over Moat's {@code Spool} in a temporary
 *       directory, so {@code headers()} and {@code parts()} use the production parsers, and
 *       {@link #deliveredMessage()} uses the production {@code MessageAssembler}.</li>
 * </ul>
 *
 * <h2>What it does not</h2>
 * <ul>
 *   <li>An exception thrown by the filter reaches the test unchanged (checked ones too, undeclared);
 *       the gateway would log it and answer {@code 451 4.3.0}. A {@code null} verdict becomes an
 *       {@link IllegalStateException} (the gateway treats it as a failure too).</li>
 *   <li>No timeouts: the {@code timeout} setting is validated but never enforced.</li>
 *   <li>No relay check: a recipient with verdict {@code next} is accepted, whereas the gateway refuses it
 *       ({@code 550 5.7.1}) unless a route makes its domain deliverable.</li>
 *   <li>No Received header, no protocol checks (SIZE limit, line endings, command order beyond the
 *       transaction), no chain of several filters, and {@code andDisconnect()} closes nothing.</li>
 * </ul>
 * One harness is one connection (see {@link #newConnection()}); it is not thread-safe.
 */
public final class FilterHarness implements AutoCloseable {

    private final Filter filter;
    /** Where the filter's own metrics go (only for harnesses built from a factory). */
    private SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** What the filter logged through its setup's logger (only for harnesses built from a factory). */
    private RecordingLogger logger;
    /** The filter's state store (only for harnesses built from a factory). */
    private StateStore state;
    private SessionInfo session = TestSession.defaults();
    private MapNotes connectionNotes = new MapNotes();
    private MapNotes transactionNotes = new MapNotes();
    /** Null when no transaction is open. */
    private Envelope envelope;
    private boolean transactionOver;
    private Path spoolDirectory;
    private Spool spool;
    private SpooledMessage message;
    private HarnessContexts.RecordingHeaderEdits headerEdits;
    private Verdict dataVerdict;
    private int messages;
    private boolean closed;

    private FilterHarness(Filter filter) {
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    /**
     * A harness around a filter instance you built yourself.
     *
     * <pre>{@code
     * FilterHarness h = FilterHarness.of(new MyFilter());
     * }</pre>
     */
    public static FilterHarness of(Filter filter) {
        return new FilterHarness(filter);
    }

    /**
     * A harness around a filter made by {@code factory} from {@code settings}, exactly as the gateway makes
     * it from a {@code filters:} entry. Keys {@code name}, {@code type} and {@code timeout} are the entry's
     * own fields and are not passed to the factory; any other key the factory does not declare fails with
     * {@code InvalidSettingException(key, "unknown setting for filter type '<type>' ...")}. A
     * {@code null} value counts as absent, as a YAML key without value does.
     *
     * <pre>{@code
     * FilterHarness h = FilterHarness.of(new SizeLimitFactory(), Map.of("max", "10MB"));
     * }</pre>
     *
     * @throws InvalidSettingException for an unknown key, a bad value the factory reports, or a bad
     *     {@code name}/{@code type}/{@code timeout}; any other exception of {@code create} is rethrown
     *     as is
     */
    public static FilterHarness of(FilterFactory factory, Map<String, ?> settings) {
        return of(factory, settings, java.time.Clock.systemUTC());
    }

    /**
     * As {@link #of(FilterFactory, Map)}, with the clock the filter gets through its
     * {@link dev.moat.filter.FilterSetup} (a fixed or stepping clock for time-dependent filters).
     */
    public static FilterHarness of(FilterFactory factory, Map<String, ?> settings, java.time.Clock clock) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(settings, "settings");
        String type = factory.type();
        Object typeValue = settings.get("type");
        if (typeValue != null && !typeValue.toString().equals(type)) {
            throw new InvalidSettingException("type", "'" + typeValue + "' is not the factory's type '" + type + "'");
        }
        Object nameValue = settings.get("name");
        String name = nameValue == null ? type : nameValue.toString();
        if (!name.matches("[a-z0-9-]+")) {
            throw new InvalidSettingException("name", "'" + name + "' is not a filter name (lowercase letters, digits and '-')");
        }
        Object timeout = settings.get("timeout");
        if (timeout != null) {
            try {
                Units.parseDuration(timeout.toString());
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("timeout", e.getMessage());
            }
        }
        Set<String> known = factory.settingKeys();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, ?> entry : settings.entrySet()) {
            String key = entry.getKey();
            if (key.equals("name") || key.equals("type") || key.equals("timeout")) {
                continue;
            }
            if (!known.contains(key)) {
                throw new InvalidSettingException(key, "unknown setting for filter type '" + type
                        + "' (known settings: name, type, timeout" + (known.isEmpty() ? "" : ", "
                        + String.join(", ", new TreeSet<>(known))) + ")");
            }
            values.put(key, entry.getValue());
        }
        Filter filter;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordingLogger logger = new RecordingLogger("dev.moat.filter." + name);
        ConfiguredFilterSetup base = new ConfiguredFilterSetup(new ConfiguredFilterSettings(name, values),
                new MicrometerFilterMetrics(registry, name, type), clock);
        FilterSetup setup = new FilterSetup() {
            @Override public dev.moat.filter.FilterSettings settings() { return base.settings(); }
            @Override public dev.moat.filter.FilterMetrics metrics() { return base.metrics(); }
            @Override public java.time.Clock clock() { return base.clock(); }
            @Override public StateStore state() { return base.state(); }
            @Override public System.Logger logger() { return logger; }
        };
        try {
            filter = factory.create(setup);
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        if (filter == null) {
            throw new IllegalStateException("filter type '" + type + "' returned no filter");
        }
        FilterHarness harness = new FilterHarness(filter);
        harness.registry = registry;
        harness.logger = logger;
        harness.state = base.state();
        return harness;
    }

    /**
     * The value of a counter the filter published through its {@link dev.moat.filter.FilterMetrics}
     * ({@code count(name, tags)}), 0 if it never counted; e.g. {@code counter("cache.hits")}.
     */
    public double counter(String name, String... tags) {
        var counter = registry.find("moat.filter." + name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The current value of a gauge the filter published, or null if it has none of that name. */
    public Double gauge(String name) {
        var gauge = registry.find("moat.filter." + name).gauge();
        return gauge == null ? null : gauge.value();
    }

    /**
     * Every line the filter logged through {@code setup.logger()}, as {@code LEVEL text}; empty for a
     * harness around an instance you built yourself.
     */
    public List<String> logLines() {
        return logger == null ? List.of() : logger.lines();
    }

    /**
     * The filter's own {@link StateStore} ({@code setup.state()}), to check or prepare what it keeps.
     *
     * @throws IllegalStateException for a harness around an instance you built yourself
     */
    public StateStore state() {
        if (state == null) {
            throw new IllegalStateException("no state store: the harness was built around a filter instance, not a factory");
        }
        return state;
    }

    /**
     * One whole transaction: MAIL FROM with the envelope's sender and parameters, RCPT TO for each
     * recipient (a refused recipient does not stop the others), then DATA with {@code message} if MAIL
     * and at least one recipient passed; as a client would, and as the gateway calls the filter.
     *
     * <pre>{@code
     * TransactionOutcome out = h.send(TestEnvelope.of("a@example.org", "b@example.com"),
     *         TestMessage.resource(MyTest.class, "spam.eml"));
     * assertThat(out.finalVerdict()).isRejected().withCode(550);
     * }</pre>
     */
    public TransactionOutcome send(Envelope envelope, byte[] message) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(message, "message");
        StageOutcome mail = mailFrom(envelope.sender().map(Address::toString).orElse(""), envelope.mailParameters());
        if (mail.refused()) {
            return new TransactionOutcome(mail, List.of(), Optional.empty());
        }
        List<StageOutcome> recipients = new ArrayList<>();
        for (Address recipient : envelope.recipients()) {
            recipients.add(rcptTo(recipient.toString()));
        }
        if (recipients.stream().allMatch(StageOutcome::refused)) {
            reset();
            return new TransactionOutcome(mail, recipients, Optional.empty());
        }
        return new TransactionOutcome(mail, recipients, Optional.of(data(message)));
    }

    /** The filter under test. */
    public Filter filter() {
        return filter;
    }

    /**
     * Sets the connection's facts for the following stages (default {@link TestSession#defaults()}); set
     * it before {@link #connect()}.
     */
    public FilterHarness session(SessionInfo session) {
        this.session = Objects.requireNonNull(session, "session");
        return this;
    }

    /** The session as the next stage will see it (with the HELO name of the latest successful {@link #helo}). */
    public SessionInfo session() {
        return session;
    }

    /** Calls {@link Filter#connect}. */
    public Verdict connect() {
        checkOpen();
        return call(() -> filter.connect(new HarnessContexts.Connect(session, connectionNotes)));
    }

    /**
     * Calls {@link Filter#helo} with {@code name}, keeping the session's HELO/EHLO mode. Unless refused, the
     * session's HELO name becomes {@code name} for later stages (the call itself still sees the previous
     * session, as in the gateway) and any open transaction ends, as after RSET.
     */
    public Verdict helo(String name) {
        return helo(name, session.extendedHello());
    }

    /** Like {@link #helo(String)}, as HELO ({@code extended} false) or EHLO ({@code extended} true). */
    public Verdict helo(String name, boolean extended) {
        checkOpen();
        Objects.requireNonNull(name, "name");
        Verdict verdict = call(() -> filter.helo(new HarnessContexts.Helo(session, connectionNotes, name)));
        if (!refuses(verdict)) {
            session = TestSession.builder(session).helo(name).extendedHello(extended).build();
            reset();
        }
        return verdict;
    }

    /** {@link #mailFrom(String, Map)} without parameters. */
    public StageOutcome mailFrom(String sender) {
        return mailFrom(sender, Map.of());
    }

    /**
     * Starts a new transaction (fresh envelope and transaction notes) and calls {@link Filter#mailFrom}.
     * {@code sender} is {@code local@domain}, with or without angle brackets; {@code ""} or {@code "<>"} is
     * the null sender. Parameter names are upper-cased ({@code SIZE}, {@code BODY}); a flag has the value
     * {@code ""}. If the verdict is reject or tempfail no transaction is open afterwards (the outcome's
     * envelope is the one the filter saw).
     */
    public StageOutcome mailFrom(String sender, Map<String, String> parameters) {
        checkOpen();
        Optional<Address> from = parseSender(sender);
        Map<String, String> params = upperCaseKeys(parameters);
        reset();
        HarnessContexts.Mail context = new HarnessContexts.Mail(session, connectionNotes, transactionNotes, from, params);
        Envelope before = context.envelope();
        Verdict verdict = call(() -> filter.mailFrom(context));
        if (refuses(verdict)) {
            return new StageOutcome(verdict, before, List.of(), Set.of());
        }
        envelope = context.envelope();
        return new StageOutcome(verdict, envelope, List.of(), Set.of());
    }

    /** {@link #rcptTo(String, Map)} without parameters. */
    public StageOutcome rcptTo(String recipient) {
        return rcptTo(recipient, Map.of());
    }

    /**
     * Calls {@link Filter#rcptTo} for one recipient ({@code local@domain}, angle brackets optional). Unless
     * the verdict is reject or tempfail, the recipient (after any rewrite) joins the envelope. No relay
     * check: {@code next} counts as accepted here.
     *
     * @throws IllegalStateException without an open transaction (no successful {@link #mailFrom} since the
     *     last DATA, RSET or HELO)
     */
    public StageOutcome rcptTo(String recipient, Map<String, String> parameters) {
        checkOpen();
        Address to = Address.parse(stripBrackets(Objects.requireNonNull(recipient, "recipient")));
        Map<String, String> params = upperCaseKeys(parameters);
        requireTransaction("RCPT TO");
        Envelope before = envelope;
        HarnessContexts.Rcpt context = new HarnessContexts.Rcpt(session, connectionNotes, transactionNotes, before, to,
                params);
        Verdict verdict = call(() -> filter.rcptTo(context));
        if (refuses(verdict)) {
            return new StageOutcome(verdict, before, List.of(), Set.of());
        }
        List<Address> recipients = new ArrayList<>(before.recipients());
        if (!recipients.contains(context.recipient())) {
            recipients.add(context.recipient());
        }
        envelope = new HarnessContexts.SnapshotEnvelope(before.sender(), before.mailParameters(), recipients);
        return new StageOutcome(verdict, envelope, List.of(), Set.of());
    }

    /**
     * {@link #data(byte[])} for a text message: every bare LF becomes CRLF, a missing final line ending is
     * added (as SMTP's final {@code CRLF.CRLF} implies), and the text is encoded as UTF-8.
     */
    public StageOutcome data(String message) {
        Objects.requireNonNull(message, "message");
        StringBuilder crlf = new StringBuilder(message.length() + 64);
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n' && (i == 0 || message.charAt(i - 1) != '\r')) {
                crlf.append('\r');
            }
            crlf.append(c);
        }
        if (crlf.length() > 0 && !(crlf.length() >= 2 && crlf.charAt(crlf.length() - 2) == '\r'
                && crlf.charAt(crlf.length() - 1) == '\n')) {
            crlf.append("\r\n");
        }
        return data(crlf.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Spools {@code message} (used exactly as given: CRLF line endings, dot-stuffing already undone, without
     * a Received header) and calls {@link Filter#data} with a real {@code SpooledMessageView}. Unless the
     * verdict is reject or tempfail, the envelope edits are applied and the header edits kept for
     * {@link #deliveredMessage()}. The transaction is over afterwards.
     *
     * @throws IllegalStateException without an open transaction or without an accepted recipient
     */
    public StageOutcome data(byte[] message) {
        checkOpen();
        Objects.requireNonNull(message, "message");
        requireTransaction("DATA");
        if (envelope.recipients().isEmpty()) {
            throw new IllegalStateException("DATA needs at least one accepted recipient (the gateway answers 503)");
        }
        SpooledMessage spooled = spool().create(session.id() + "-m" + (++messages));
        this.message = spooled;
        try {
            spooled.write(message, 0, message.length);
            spooled.seal();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Envelope before = envelope;
        HarnessContexts.Data context = new HarnessContexts.Data(session, connectionNotes, transactionNotes, before,
                new SpooledMessageView(spooled));
        transactionOver = true;
        Verdict verdict = call(() -> filter.data(context));
        dataVerdict = verdict;
        if (refuses(verdict)) {
            return new StageOutcome(verdict, before, List.of(), Set.of());
        }
        headerEdits = context.headerEdits();
        envelope = context.applyTo(before);
        return new StageOutcome(verdict, envelope, headerEdits.added(), headerEdits.removed());
    }

    /**
     * The message as Moat would write it after the last {@link #data} call: the header fields the filter
     * added (folded like the gateway folds them), the original fields minus those removed, then the body
     * byte-identical, all through the gateway's own {@code MessageAssembler}, but without the Received
     * header.
     *
     * @throws IllegalStateException if there was no DATA since the last MAIL/RSET, or the filter refused
     *     the message (then nothing is delivered)
     */
    public byte[] deliveredMessage() {
        checkOpen();
        if (message == null || dataVerdict == null) {
            throw new IllegalStateException("no message: call data() first");
        }
        if (refuses(dataVerdict)) {
            throw new IllegalStateException("the message was refused (" + dataVerdict + "), nothing is delivered");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, message.size() + 1024));
        try {
            MessageAssembler.write("", headerEdits.edits(), message, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@link #deliveredMessage()} decoded as UTF-8, for readable assertions. */
    public String deliveredMessageText() {
        return new String(deliveredMessage(), StandardCharsets.UTF_8);
    }

    /** RSET: ends the transaction; the envelope and the transaction notes are cleared. */
    public void reset() {
        checkOpen();
        envelope = null;
        transactionOver = false;
        transactionNotes = new MapNotes();
        discardMessage();
    }

    /** Calls {@link Filter#disconnect}, as the gateway does once when the connection ends. */
    public void disconnect() {
        checkOpen();
        call(() -> {
            filter.disconnect(new HarnessContexts.Disconnect(session, connectionNotes));
            return Verdict.next();
        });
    }

    /**
     * Starts over as a new connection of the same filter instance: fresh connection notes, no transaction,
     * and the session set back to {@code session}. Use it to test state a filter keeps across connections.
     */
    public FilterHarness newConnection(SessionInfo session) {
        reset();
        connectionNotes = new MapNotes();
        return session(session);
    }

    /** {@link #newConnection(SessionInfo)} with {@link TestSession#defaults()}. */
    public FilterHarness newConnection() {
        return newConnection(TestSession.defaults());
    }

    /**
     * The current envelope: after MAIL FROM with the sender after rewriting, then the accepted recipients,
     * and after DATA with its envelope edits. Empty (no sender, no parameters, no recipients) when no
     * transaction is open. An envelope without recipients after DATA means the gateway would discard the
     * message.
     */
    public Envelope envelope() {
        return envelope == null ? HarnessContexts.SnapshotEnvelope.EMPTY : envelope;
    }

    /** The connection's notes, shared with the filter; put values here to prepare a stage. */
    public Notes connectionNotes() {
        return connectionNotes;
    }

    /** The current transaction's notes (new at every {@link #mailFrom} and {@link #reset()}). */
    public Notes transactionNotes() {
        return transactionNotes;
    }

    /** Calls {@link Filter#close()} and deletes the temporary spool directory; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        discardMessage();
        try {
            filter.close();
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        } finally {
            deleteSpool();
        }
    }

    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface StageCall {
        Verdict run() throws Exception;
    }

    private Verdict call(StageCall call) {
        Verdict verdict;
        try {
            verdict = call.run();
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        if (verdict == null) {
            throw new IllegalStateException("filter " + filter.getClass().getName()
                    + " returned null instead of a verdict (the gateway answers 451 4.3.0)");
        }
        return verdict;
    }

    private static boolean refuses(Verdict verdict) {
        return verdict.kind() == Verdict.Kind.REJECT || verdict.kind() == Verdict.Kind.TEMPFAIL;
    }

    private void requireTransaction(String command) {
        if (envelope == null || transactionOver) {
            throw new IllegalStateException(command + " needs an open transaction: call mailFrom() first"
                    + (transactionOver ? " (the last transaction ended with DATA)" : "")
                    + " (the gateway answers 503 5.5.1)");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the harness is closed");
        }
    }

    private static Optional<Address> parseSender(String sender) {
        Objects.requireNonNull(sender, "sender");
        String bare = stripBrackets(sender);
        return bare.isEmpty() ? Optional.empty() : Optional.of(Address.parse(bare));
    }

    private static String stripBrackets(String address) {
        String trimmed = address.trim();
        if (trimmed.startsWith("<") && trimmed.endsWith(">")) {
            return trimmed.substring(1, trimmed.length() - 1);
        }
        return trimmed;
    }

    private static Map<String, String> upperCaseKeys(Map<String, String> parameters) {
        Objects.requireNonNull(parameters, "parameters");
        Map<String, String> out = new LinkedHashMap<>();
        parameters.forEach((k, v) -> out.put(k.toUpperCase(Locale.ROOT), v == null ? "" : v));
        return out;
    }

    private Spool spool() {
        if (spool == null) {
            try {
                spoolDirectory = Files.createTempDirectory("moat-testkit-spool");
                spool = new Spool(spoolDirectory, LimitsConfig.DEFAULT_MEMORY_BUFFER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spool;
    }

    private void discardMessage() {
        if (message != null) {
            message.discard();
            message = null;
        }
        headerEdits = null;
        dataVerdict = null;
    }

    /** The temporary spool directory, once a message was spooled; for the kit's own tests. */
    Optional<Path> spoolDirectory() {
        return Optional.ofNullable(spoolDirectory);
    }

    private void deleteSpool() {
        if (spoolDirectory == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(spoolDirectory)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
