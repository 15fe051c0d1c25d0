package dev.moat.core.queue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A delivery status notification per RFC 3464: a {@code multipart/report; report-type=delivery-status}
 * with a human-readable part, a {@code message/delivery-status} part with one block per recipient, and
 * the original message's header ({@code text/rfc822-headers}) or, for {@code RET=FULL}, the whole
 * message ({@code message/rfc822}). Immutable; {@link #writeTo} may be called more than once.
 */
public final class DsnReport {

    /** RFC 3464 §2.3.3 actions Moat reports. */
    public enum Action { FAILED, DELAYED, RELAYED }

    /**
     * One recipient's block.
     *
     * @param status the RFC 3463 status, e.g. {@code 5.1.1}
     * @param diagnostic the SMTP reply that decided it, e.g. {@code 550 5.1.1 user unknown}, if any
     * @param remoteMta the next hop that gave it, if any
     */
    public record Recipient(String address, Optional<String> orcpt, Action action, String status,
            Optional<String> diagnostic, Optional<String> remoteMta) {
        public Recipient {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(orcpt, "orcpt");
            Objects.requireNonNull(action, "action");
            if (!status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
                throw new IllegalArgumentException("not a status code: " + status);
            }
            Objects.requireNonNull(diagnostic, "diagnostic");
            Objects.requireNonNull(remoteMta, "remoteMta");
        }
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final int MAX_HEADER_BYTES = 256 * 1024;

    private final String reportingMta;
    private final QueuedEnvelope original;
    private final List<Recipient> recipients;
    private final Instant now;
    private final String messageId;
    private final boolean full;

    public DsnReport(String reportingMta, QueuedEnvelope original, List<Recipient> recipients, Instant now, String messageId) {
        this.reportingMta = Objects.requireNonNull(reportingMta, "reportingMta");
        this.original = Objects.requireNonNull(original, "original");
        this.recipients = List.copyOf(recipients);
        if (this.recipients.isEmpty()) {
            throw new IllegalArgumentException("a DSN reports at least one recipient");
        }
        this.now = Objects.requireNonNull(now, "now");
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.full = original.ret().map(r -> r.equalsIgnoreCase("FULL")).orElse(false);
    }

    /** Whether the report carries the whole original message (RET=FULL). */
    public boolean full() {
        return full;
    }

    /** Writes the report; {@code originalMessage} is read (headers only, unless RET=FULL) but not closed. */
    public void writeTo(OutputStream out, InputStream originalMessage) throws IOException {
        String boundary = "=_moat-dsn-" + messageId.replaceAll("[^A-Za-z0-9]", "");
        boolean failed = recipients.stream().anyMatch(r -> r.action() == Action.FAILED);
        boolean delayed = !failed && recipients.stream().anyMatch(r -> r.action() == Action.DELAYED);
        String subject = failed ? "Undelivered Mail Returned to Sender"
                : delayed ? "Delayed Mail (still being retried)" : "Successful Mail Delivery Report";
        StringBuilder h = new StringBuilder(1024);
        h.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append(">\r\n");
        h.append("To: <").append(original.sender()).append(">\r\n");
        h.append("Subject: ").append(subject).append("\r\n");
        h.append("Date: ").append(DATE.format(now)).append("\r\n");
        h.append("Message-ID: <").append(messageId).append('@').append(reportingMta).append(">\r\n");
        h.append("Auto-Submitted: auto-replied\r\n");
        h.append("MIME-Version: 1.0\r\n");
        h.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary).append("\"\r\n");
        h.append("\r\nThis is a MIME-encapsulated message.\r\n\r\n");
        h.append("--").append(boundary).append("\r\n");
        h.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        h.append("This is the mail system at host ").append(reportingMta).append(".\r\n\r\n");
        if (failed) {
            h.append("Your message could not be delivered to one or more recipients.\r\n");
        } else if (delayed) {
            h.append("Your message has not been delivered yet; delivery is still being attempted.\r\n");
        } else {
            h.append("Your message was delivered to a mail system that does not send delivery reports itself.\r\n");
        }
        h.append("Queue id: ").append(original.id()).append("\r\n\r\n");
        for (Recipient r : recipients) {
            h.append("<").append(ascii(r.address())).append(">: ").append(r.action().name().toLowerCase(Locale.ROOT));
            r.diagnostic().ifPresent(d -> h.append(": ").append(ascii(d)));
            h.append("\r\n");
        }
        h.append("\r\n--").append(boundary).append("\r\n");
        h.append("Content-Type: message/delivery-status\r\n\r\n");
        h.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
        original.envid().ifPresent(e -> h.append("Original-Envelope-Id: ").append(ascii(e)).append("\r\n"));
        if (!original.helo().isEmpty() || !original.clientIp().isEmpty()) {
            h.append("Received-From-MTA: dns; ").append(ascii(original.helo().isEmpty() ? "unknown" : original.helo()))
                    .append(" (").append(ascii(original.clientIp())).append(")\r\n");
        }
        h.append("Arrival-Date: ").append(DATE.format(original.receivedAt())).append("\r\n");
        for (Recipient r : recipients) {
            h.append("\r\n");
            r.orcpt().ifPresent(o -> h.append("Original-Recipient: ").append(ascii(o)).append("\r\n"));
            h.append("Final-Recipient: rfc822; ").append(ascii(r.address())).append("\r\n");
            h.append("Action: ").append(r.action().name().toLowerCase(Locale.ROOT)).append("\r\n");
            h.append("Status: ").append(r.status()).append("\r\n");
            r.remoteMta().ifPresent(m -> h.append("Remote-MTA: dns; ").append(ascii(m)).append("\r\n"));
            r.diagnostic().ifPresent(d -> h.append("Diagnostic-Code: smtp; ").append(ascii(d)).append("\r\n"));
            h.append("Last-Attempt-Date: ").append(DATE.format(now)).append("\r\n");
        }
        h.append("\r\n--").append(boundary).append("\r\n");
        h.append(full ? "Content-Type: message/rfc822\r\n" : "Content-Type: text/rfc822-headers\r\n");
        if (full && "8BITMIME".equalsIgnoreCase(original.mailParameters().get("BODY"))) {
            h.append("Content-Transfer-Encoding: 8bit\r\n");
        }
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        if (full) {
            boolean endsWithNewline = copy(originalMessage, out);
            if (!endsWithNewline) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        } else {
            out.write(headerOf(originalMessage));
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int last = -1;
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            last = buffer[n - 1];
        }
        return last == '\n';
    }

    /** The header of a message up to (not including) the empty line; bounded. */
    static byte[] headerOf(InputStream in) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream(4096);
        int previous = -1;
        int beforePrevious = -1;
        int b;
        while ((b = in.read()) != -1 && header.size() < MAX_HEADER_BYTES) {
            if (b == '\n' && (previous == '\n' || (previous == '\r' && beforePrevious == '\n'))) {
                break;
            }
            header.write(b);
            beforePrevious = previous;
            previous = b;
        }
        byte[] bytes = header.toByteArray();
        // drop the empty line's CR, if it got in
        int length = bytes.length;
        if (length >= 1 && bytes[length - 1] == '\r' && length >= 2 && bytes[length - 2] == '\n') {
            length--;
        }
        ByteArrayOutputStream result = new ByteArrayOutputStream(length + 2);
        result.write(bytes, 0, length);
        if (length == 0 || bytes[length - 1] != '\n') {
            result.write('\r');
            result.write('\n');
        }
        return result.toByteArray();
    }

    /** Header field values must be ASCII without line breaks. */
    private static String ascii(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 500));
        for (int i = 0; i < s.length() && b.length() < 500; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return b.toString();
    }
}
