package dev.moat.admin;

import dev.moat.core.store.CaptureStore;
import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.StoredMessage;
import dev.moat.core.store.VerdictRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Listing a store with paging and filters: newest first; {@code since} (inclusive) and {@code until}
 * (exclusive) on the receive time, {@code sender} and {@code recipient} as case-insensitive
 * substrings of the envelope addresses, {@code subject} as a case-insensitive substring of the
 * decoded {@code Subject:} header, read from the header section only ({@link HeaderSection}).
 * Cheap filters run first: the time range needs no file, the envelope filters one small JSON read,
 * the subject one bounded header read, per candidate. Messages deleted while the listing runs are
 * skipped, and so are messages whose envelope file became unreadable (logged at WARN).
 */
final class MessageQuery {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MessageQuery.class);

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    static final Set<String> PARAMETERS = Set.of("offset", "limit", "sender", "recipient", "subject", "since", "until");

    final int offset;
    final int limit;
    final Optional<String> sender;
    final Optional<String> recipient;
    final Optional<String> subject;
    final Optional<Instant> since;
    final Optional<Instant> until;

    private MessageQuery(int offset, int limit, Optional<String> sender, Optional<String> recipient,
            Optional<String> subject, Optional<Instant> since, Optional<Instant> until) {
        this.offset = offset;
        this.limit = limit;
        this.sender = sender;
        this.recipient = recipient;
        this.subject = subject;
        this.since = since;
        this.until = until;
    }

    /** Parses the query parameters; {@code parameter} gives a parameter's value or null. */
    static MessageQuery parse(Set<String> names, Function<String, String> parameter) throws ApiError {
        for (String name : names) {
            if (!PARAMETERS.contains(name)) {
                throw ApiError.badRequest("unknown query parameter '" + name + "'; known: offset, limit, sender, "
                        + "recipient, subject, since, until");
            }
        }
        int offset = integer(parameter.apply("offset"), "offset", 0, 0, Integer.MAX_VALUE);
        int limit = integer(parameter.apply("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        return new MessageQuery(offset, limit, text(parameter.apply("sender")), text(parameter.apply("recipient")),
                text(parameter.apply("subject")), instant(parameter.apply("since"), "since"),
                instant(parameter.apply("until"), "until"));
    }

    private static int integer(String value, String name, int defaultValue, int min, int max) throws ApiError {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiError.badRequest(name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    private static Optional<String> text(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(HeaderSection.fold(value));
    }

    private static Optional<Instant> instant(String value, String name) throws ApiError {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an ISO-8601 instant such as 2025-01-31T12:00:00Z, got '" + value + "'");
        }
    }

    /** Runs the query: {@code {total, offset, limit, messages: [...]}}. */
    Map<String, Object> run(CaptureStore store) throws IOException {
        List<Map<String, Object>> page = new ArrayList<>();
        int total = 0;
        for (StoredMessage message : store.list()) {
            if (since.isPresent() && message.receivedAt().isBefore(since.get())) {
                continue;
            }
            if (until.isPresent() && !message.receivedAt().isBefore(until.get())) {
                continue;
            }
            boolean inPage = total >= offset && page.size() < limit;
            boolean needsEnvelope = sender.isPresent() || recipient.isPresent() || inPage;
            boolean needsHeader = subject.isPresent() || inPage;
            try {
                CapturedEnvelope envelope;
                try {
                    envelope = needsEnvelope ? store.readEnvelope(message.id()) : null;
                } catch (NoSuchFileException deletedMeanwhile) {
                    throw deletedMeanwhile;
                } catch (IOException unreadable) {
                    // Damaged on disk since start-up: one bad file must not break the listing.
                    LOG.warn("Admin API: skipping message {} in {}: {}", message.id(), store.directory(),
                            unreadable.getMessage());
                    continue;
                }
                if (!matchesEnvelope(envelope)) {
                    continue;
                }
                HeaderSection header = needsHeader ? header(store, message.id()) : null;
                if (subject.isPresent()
                        && !HeaderSection.fold(header.first("Subject").orElse("")).contains(subject.get())) {
                    continue;
                }
                if (inPage) {
                    page.add(summary(message, envelope, header));
                }
                total++;
            } catch (NoSuchFileException deletedMeanwhile) {
                // retention or a DELETE removed it while we were listing
            }
        }
        return Json.map("total", total, "offset", offset, "limit", limit, "messages", page);
    }

    private boolean matchesEnvelope(CapturedEnvelope envelope) {
        if (sender.isPresent() && !HeaderSection.fold(envelope.sender()).contains(sender.get())) {
            return false;
        }
        if (recipient.isPresent()) {
            return envelope.recipients().stream().anyMatch(r -> HeaderSection.fold(r).contains(recipient.get()));
        }
        return true;
    }

    static HeaderSection header(CaptureStore store, String id) throws IOException {
        try (InputStream in = store.openMessage(id)) {
            return HeaderSection.read(in);
        }
    }

    /** One line of a listing. */
    static Map<String, Object> summary(StoredMessage message, CapturedEnvelope envelope, HeaderSection header) {
        return Json.map(
                "id", message.id(),
                "receivedAt", message.receivedAt().toString(),
                "size", message.size(),
                "sender", envelope.sender(),
                "recipients", envelope.recipients(),
                "subject", header.first("Subject").orElse(null),
                "from", header.first("From").orElse(null),
                "listener", envelope.listener(),
                "clientIp", envelope.clientIp(),
                "quarantineReason", envelope.quarantineReason().orElse(null));
    }

    /** The envelope as stored ({@code docs/capture-store.md}), with the same field names. */
    static Map<String, Object> envelope(CapturedEnvelope e) {
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (VerdictRecord v : e.verdicts()) {
            verdicts.add(Json.map("filter", v.filter(), "type", v.type(), "stage", v.stage(), "verdict", v.verdict(),
                    "detail", v.detail()));
        }
        return Json.map(
                "id", e.id(),
                "receivedAt", e.receivedAt().toString(),
                "listener", e.listener(),
                "clientIp", e.clientIp(),
                "helo", e.helo(),
                "tlsProtocol", e.tlsProtocol().orElse(null),
                "tlsCipher", e.tlsCipher().orElse(null),
                "authenticatedUser", e.authenticatedUser().orElse(null),
                "sender", e.sender(),
                "recipients", e.recipients(),
                "mailParameters", e.mailParameters(),
                "verdicts", verdicts,
                "quarantineReason", e.quarantineReason().orElse(null),
                "size", e.size());
    }
}
