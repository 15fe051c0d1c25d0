package dev.moat.core.store;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the gateway knew about a message when it accepted it: the SMTP envelope plus the
 * connection facts and filter verdicts an operator needs to judge it later. Stored next to the
 * message as {@code <id>.json} (format: {@code docs/capture-store.md}).
 *
 * <p>The collections are copied on construction (the map keeps its iteration order, so the JSON is
 * written in the order the client gave the parameters) and are unmodifiable. Immutable and
 * thread-safe.
 *
 * @param id                the message id, {@code [A-Za-z0-9._-]{1,64}}, chosen by the caller (the
 *                          gateway's transaction id); it names the files
 * @param receivedAt        when the gateway received the message
 * @param listener          the name of the listener that accepted the connection
 * @param clientIp          the client's IP address as text
 * @param helo              the HELO/EHLO argument; {@code ""} if none was given
 * @param tlsProtocol       the TLS protocol, e.g. {@code TLSv1.3}, if the session was encrypted
 * @param tlsCipher         the TLS cipher suite, if the session was encrypted
 * @param authenticatedUser the SMTP AUTH identity, if the client authenticated
 * @param sender            the reverse path; {@code ""} for the null sender {@code <>}
 * @param recipients        the accepted recipients in order; never empty
 * @param mailParameters    the MAIL FROM parameters; a parameter without value maps to {@code ""}
 * @param verdicts          the filter verdicts in the order they were given
 * @param quarantineReason  why the message was quarantined, for quarantine stores
 * @param size              the byte count of the stored message; {@link CaptureStore#store} replaces
 *                          whatever the caller passes with the real count
 */
public record CapturedEnvelope(
        String id,
        Instant receivedAt,
        String listener,
        String clientIp,
        String helo,
        Optional<String> tlsProtocol,
        Optional<String> tlsCipher,
        Optional<String> authenticatedUser,
        String sender,
        List<String> recipients,
        Map<String, String> mailParameters,
        List<VerdictRecord> verdicts,
        Optional<String> quarantineReason,
        long size) {

    /**
     * Validates the id, rejects nulls (also inside the collections and optionals), an empty recipient
     * list and a negative size, and copies the collections.
     */
    public CapturedEnvelope {
        MessageIds.requireValid(id);
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clientIp, "clientIp");
        Objects.requireNonNull(helo, "helo");
        Objects.requireNonNull(tlsProtocol, "tlsProtocol");
        Objects.requireNonNull(tlsCipher, "tlsCipher");
        Objects.requireNonNull(authenticatedUser, "authenticatedUser");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipients, "recipients");
        Objects.requireNonNull(mailParameters, "mailParameters");
        Objects.requireNonNull(verdicts, "verdicts");
        Objects.requireNonNull(quarantineReason, "quarantineReason");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("recipients must not be empty");
        }
        verdicts = List.copyOf(verdicts);
        mailParameters = copyOrdered(mailParameters);
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
    }

    /** This envelope with {@code size} replaced; used by the store to record the real byte count. */
    public CapturedEnvelope withSize(long newSize) {
        return new CapturedEnvelope(id, receivedAt, listener, clientIp, helo, tlsProtocol, tlsCipher,
                authenticatedUser, sender, recipients, mailParameters, verdicts, quarantineReason, newSize);
    }

    private static Map<String, String> copyOrdered(Map<String, String> source) {
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : source.entrySet()) {
            copy.put(Objects.requireNonNull(e.getKey(), "mailParameters key"),
                    Objects.requireNonNull(e.getValue(), "mailParameters value for " + e.getKey()));
        }
        return Collections.unmodifiableMap(copy);
    }
}
