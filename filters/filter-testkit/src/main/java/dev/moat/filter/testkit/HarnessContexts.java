package dev.moat.filter.testkit;

import dev.moat.core.message.HeaderEdits;
import dev.moat.filter.Address;
import dev.moat.filter.ConnectContext;
import dev.moat.filter.DataContext;
import dev.moat.filter.DisconnectContext;
import dev.moat.filter.Envelope;
import dev.moat.filter.EnvelopeMutations;
import dev.moat.filter.Header;
import dev.moat.filter.HeaderMutations;
import dev.moat.filter.HeloContext;
import dev.moat.filter.MailContext;
import dev.moat.filter.MessageView;
import dev.moat.filter.Notes;
import dev.moat.filter.RcptContext;
import dev.moat.filter.SessionInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The harness's stage contexts, mirroring the gateway's ({@code dev.moat.core.smtp.StageContexts}):
 * mutations are recorded in the context and read back by the harness after the call, and applied only
 * if the verdict lets the transaction go on.
 */
final class HarnessContexts {

    private HarnessContexts() {
    }

    /** An immutable envelope snapshot. */
    record SnapshotEnvelope(Optional<Address> sender, Map<String, String> mailParameters, List<Address> recipients)
            implements Envelope {
        static final SnapshotEnvelope EMPTY = new SnapshotEnvelope(Optional.empty(), Map.of(), List.of());

        SnapshotEnvelope {
            Objects.requireNonNull(sender, "sender");
            mailParameters = Map.copyOf(mailParameters);
            recipients = List.copyOf(recipients);
        }
    }

    record Connect(SessionInfo session, Notes connectionNotes) implements ConnectContext {
    }

    record Disconnect(SessionInfo session, Notes connectionNotes) implements DisconnectContext {
    }

    record Helo(SessionInfo session, Notes connectionNotes, String heloName) implements HeloContext {
    }

    static final class Mail implements MailContext {
        private final SessionInfo session;
        private final Notes connectionNotes;
        private final Notes transactionNotes;
        private final Map<String, String> parameters;
        private Optional<Address> sender;

        Mail(SessionInfo session, Notes connectionNotes, Notes transactionNotes, Optional<Address> sender,
                Map<String, String> parameters) {
            this.session = session;
            this.connectionNotes = connectionNotes;
            this.transactionNotes = transactionNotes;
            this.sender = sender;
            this.parameters = Map.copyOf(parameters);
        }

        @Override public SessionInfo session() { return session; }
        @Override public Notes connectionNotes() { return connectionNotes; }
        @Override public Notes transactionNotes() { return transactionNotes; }
        @Override public Optional<Address> sender() { return sender; }

        @Override
        public Envelope envelope() {
            return new SnapshotEnvelope(sender, parameters, List.of());
        }

        @Override
        public void rewriteSender(Optional<Address> newSender) {
            sender = Objects.requireNonNull(newSender, "newSender");
        }
    }

    static final class Rcpt implements RcptContext {
        private final SessionInfo session;
        private final Notes connectionNotes;
        private final Notes transactionNotes;
        private final Envelope envelope;
        private final Map<String, String> parameters;
        private Address recipient;

        Rcpt(SessionInfo session, Notes connectionNotes, Notes transactionNotes, Envelope envelope, Address recipient,
                Map<String, String> parameters) {
            this.session = session;
            this.connectionNotes = connectionNotes;
            this.transactionNotes = transactionNotes;
            this.envelope = envelope;
            this.recipient = recipient;
            this.parameters = Map.copyOf(parameters);
        }

        @Override public SessionInfo session() { return session; }
        @Override public Notes connectionNotes() { return connectionNotes; }
        @Override public Notes transactionNotes() { return transactionNotes; }
        @Override public Envelope envelope() { return envelope; }
        @Override public Address recipient() { return recipient; }
        @Override public Map<String, String> parameters() { return parameters; }

        @Override
        public void rewriteRecipient(Address newRecipient) {
            recipient = Objects.requireNonNull(newRecipient, "newRecipient");
        }
    }

    static final class Data implements DataContext, EnvelopeMutations {
        private final SessionInfo session;
        private final Notes connectionNotes;
        private final Notes transactionNotes;
        private final Envelope envelope;
        private final MessageView message;
        private final RecordingHeaderEdits headers = new RecordingHeaderEdits();
        private Optional<Optional<Address>> newSender = Optional.empty();
        private final List<Address> added = new ArrayList<>();
        private final List<Address> removed = new ArrayList<>();

        Data(SessionInfo session, Notes connectionNotes, Notes transactionNotes, Envelope envelope, MessageView message) {
            this.session = session;
            this.connectionNotes = connectionNotes;
            this.transactionNotes = transactionNotes;
            this.envelope = envelope;
            this.message = message;
        }

        @Override public SessionInfo session() { return session; }
        @Override public Notes connectionNotes() { return connectionNotes; }
        @Override public Notes transactionNotes() { return transactionNotes; }
        @Override public Envelope envelope() { return envelope; }
        @Override public MessageView message() { return message; }
        @Override public HeaderMutations headers() { return headers; }
        @Override public EnvelopeMutations envelopeMutations() { return this; }

        @Override
        public void setSender(Optional<Address> sender) {
            newSender = Optional.of(Objects.requireNonNull(sender, "sender"));
        }

        @Override
        public void addRecipient(Address recipient) {
            removed.remove(recipient);
            added.add(Objects.requireNonNull(recipient, "recipient"));
        }

        @Override
        public void removeRecipient(Address recipient) {
            added.remove(recipient);
            removed.add(Objects.requireNonNull(recipient, "recipient"));
        }

        RecordingHeaderEdits headerEdits() {
            return headers;
        }

        /** The envelope with this stage's edits applied, as the gateway's finisher applies them. */
        SnapshotEnvelope applyTo(Envelope before) {
            Optional<Address> sender = newSender.orElse(before.sender());
            List<Address> recipients = new ArrayList<>(before.recipients());
            recipients.removeAll(removed);
            for (Address a : added) {
                if (!recipients.contains(a)) {
                    recipients.add(a);
                }
            }
            return new SnapshotEnvelope(sender, before.mailParameters(), recipients);
        }
    }

    /**
     * Feeds Moat's real {@link HeaderEdits} (used to assemble the delivered message) and keeps the same
     * net effect readable for {@link StageOutcome}.
     */
    static final class RecordingHeaderEdits implements HeaderMutations {
        private final HeaderEdits edits = new HeaderEdits();
        private final List<Header> added = new ArrayList<>();
        private final Set<String> removed = new LinkedHashSet<>();

        @Override
        public void add(Header header) {
            edits.add(header);
            added.add(header);
        }

        @Override
        public void remove(String name) {
            edits.remove(name);
            added.removeIf(h -> h.hasName(name));
            removed.add(name.toLowerCase(Locale.ROOT));
        }

        HeaderEdits edits() {
            return edits;
        }

        List<Header> added() {
            return List.copyOf(added);
        }

        Set<String> removed() {
            return Set.copyOf(removed);
        }
    }
}
