package dev.moat.core.smtp;

import dev.moat.core.message.HeaderEdits;
import dev.moat.filter.Address;
import dev.moat.filter.ConnectContext;
import dev.moat.filter.DataContext;
import dev.moat.filter.DisconnectContext;
import dev.moat.filter.Envelope;
import dev.moat.filter.EnvelopeMutations;
import dev.moat.filter.HeaderMutations;
import dev.moat.filter.HeloContext;
import dev.moat.filter.MailContext;
import dev.moat.filter.MessageView;
import dev.moat.filter.Notes;
import dev.moat.filter.RcptContext;
import dev.moat.filter.SessionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The context objects handed to filters, one per stage call. Mutations go to the context, not to the
 * transaction: the hook reads them back only after the stage finished in time, so a filter abandoned
 * after its timeout cannot change a transaction that has moved on.
 */
final class StageContexts {

    private StageContexts() {
    }

    record Connect(SessionInfo session, Notes connectionNotes) implements ConnectContext {
    }

    record Disconnect(SessionInfo session, Notes connectionNotes) implements DisconnectContext {
    }

    record Helo(SessionInfo session, Notes connectionNotes, String heloName) implements HeloContext {
    }

    /** MAIL FROM: the sender may be rewritten; later filters see the rewrite. */
    static final class Mail implements MailContext {
        private final SessionInfo session;
        private final Notes connectionNotes;
        private final SmtpTransaction tx;
        private volatile Optional<Address> sender;

        Mail(SessionInfo session, Notes connectionNotes, SmtpTransaction tx) {
            this.session = session;
            this.connectionNotes = connectionNotes;
            this.tx = tx;
            this.sender = tx.sender;
        }

        @Override public SessionInfo session() { return session; }
        @Override public Notes connectionNotes() { return connectionNotes; }
        @Override public Notes transactionNotes() { return tx.notes; }

        @Override
        public Envelope envelope() {
            return new SmtpTransaction.EnvelopeSnapshot(sender, Map.copyOf(tx.mailParameters), List.of());
        }

        @Override
        public void rewriteSender(Optional<Address> newSender) {
            sender = Objects.requireNonNull(newSender, "newSender");
        }

        @Override
        public Optional<Address> sender() {
            return sender;
        }
    }

    /** RCPT TO: the recipient may be rewritten; later filters see the rewrite. */
    static final class Rcpt implements RcptContext {
        private final SessionInfo session;
        private final Notes connectionNotes;
        private final SmtpTransaction tx;
        private final Envelope envelope;
        private final Map<String, String> parameters;
        private volatile Address recipient;

        Rcpt(SessionInfo session, Notes connectionNotes, SmtpTransaction tx, Address recipient, Map<String, String> parameters) {
            this.session = session;
            this.connectionNotes = connectionNotes;
            this.tx = tx;
            this.envelope = tx.envelope();
            this.recipient = recipient;
            this.parameters = Map.copyOf(parameters);
        }

        @Override public SessionInfo session() { return session; }
        @Override public Notes connectionNotes() { return connectionNotes; }
        @Override public Notes transactionNotes() { return tx.notes; }
        @Override public Envelope envelope() { return envelope; }
        @Override public Address recipient() { return recipient; }
        @Override public Map<String, String> parameters() { return parameters; }

        @Override
        public void rewriteRecipient(Address newRecipient) {
            recipient = Objects.requireNonNull(newRecipient, "newRecipient");
        }
    }

    /** DATA: header and envelope edits are collected here and applied by the finisher. */
    static final class Data implements DataContext, EnvelopeMutations {
        private final SessionInfo session;
        private final Notes connectionNotes;
        private final SmtpTransaction tx;
        private final Envelope envelope;
        private final MessageView message;
        private final HeaderEdits headers = new HeaderEdits();
        private Optional<Optional<Address>> newSender = Optional.empty();
        private final List<Address> added = new ArrayList<>();
        private final List<Address> removed = new ArrayList<>();

        Data(SessionInfo session, Notes connectionNotes, SmtpTransaction tx, MessageView message) {
            this.session = session;
            this.connectionNotes = connectionNotes;
            this.tx = tx;
            this.envelope = tx.envelope();
            this.message = message;
        }

        @Override public SessionInfo session() { return session; }
        @Override public Notes connectionNotes() { return connectionNotes; }
        @Override public Notes transactionNotes() { return tx.notes; }
        @Override public Envelope envelope() { return envelope; }
        @Override public MessageView message() { return message; }
        @Override public HeaderMutations headers() { return headers; }
        @Override public EnvelopeMutations envelopeMutations() { return this; }

        @Override
        public synchronized void setSender(Optional<Address> sender) {
            newSender = Optional.of(Objects.requireNonNull(sender, "sender"));
        }

        @Override
        public synchronized void addRecipient(Address recipient) {
            removed.remove(recipient);
            added.add(Objects.requireNonNull(recipient, "recipient"));
        }

        @Override
        public synchronized void removeRecipient(Address recipient) {
            added.remove(recipient);
            removed.add(Objects.requireNonNull(recipient, "recipient"));
        }

        HeaderEdits headerEdits() {
            return headers;
        }

        /** Whether a filter asked to change the sender or the recipients. */
        synchronized boolean changesEnvelope() {
            return newSender.isPresent() || !added.isEmpty() || !removed.isEmpty();
        }

        /** Applies the envelope edits to the transaction. */
        synchronized void applyEnvelope(SmtpTransaction target) {
            newSender.ifPresent(s -> target.sender = s);
            target.recipients.removeAll(removed);
            for (Address a : added) {
                if (!target.recipients.contains(a)) {
                    target.recipients.add(a);
                }
            }
        }
    }
}
