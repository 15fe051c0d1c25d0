package dev.moat.filter.testkit;

import dev.moat.filter.Address;
import dev.moat.filter.Envelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds an SMTP {@link Envelope}, e.g. for {@link FilterHarness#send(Envelope, byte[])}.
 *
 * <pre>{@code
 * Envelope envelope = TestEnvelope.builder()
 *         .sender("alice@example.org")          // or .nullSender() for a bounce
 *         .recipient("bob@example.com")
 *         .recipient("carol@example.com")
 *         .parameter("BODY", "8BITMIME")
 *         .build();
 * }</pre>
 */
public final class TestEnvelope {

    private TestEnvelope() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An envelope from {@code sender} to {@code recipients}, without parameters. */
    public static Envelope of(String sender, String... recipients) {
        Builder b = builder().sender(sender);
        for (String r : recipients) {
            b.recipient(r);
        }
        return b.build();
    }

    public static final class Builder {
        private Optional<Address> sender = Optional.empty();
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private final List<Address> recipients = new ArrayList<>();

        private Builder() {
        }

        /** The reverse path, {@code local@domain}; {@code ""} is the null sender. */
        public Builder sender(String address) {
            Objects.requireNonNull(address, "address");
            sender = address.isEmpty() || address.equals("<>") ? Optional.empty() : Optional.of(Address.parse(strip(address)));
            return this;
        }

        /** The null sender {@code <>}, as bounces use. */
        public Builder nullSender() {
            sender = Optional.empty();
            return this;
        }

        public Builder recipient(String address) {
            recipients.add(Address.parse(strip(Objects.requireNonNull(address, "address"))));
            return this;
        }

        /** A MAIL FROM parameter; the name is upper-cased, {@code ""} is a flag. */
        public Builder parameter(String name, String value) {
            parameters.put(name.toUpperCase(Locale.ROOT), value == null ? "" : value);
            return this;
        }

        public Envelope build() {
            return new HarnessContexts.SnapshotEnvelope(sender, parameters, recipients);
        }

        private static String strip(String address) {
            String t = address.trim();
            return t.startsWith("<") && t.endsWith(">") ? t.substring(1, t.length() - 1) : t;
        }
    }
}
