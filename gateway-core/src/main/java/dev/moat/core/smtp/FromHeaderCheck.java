package dev.moat.core.smtp;

import dev.moat.core.message.SpooledMessage;
import dev.moat.core.message.SpooledMessageView;
import dev.moat.filter.Header;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;

/**
 * The optional {@code From:} check of submission listeners ({@code auth.check-from-header}): every
 * address in the {@code From:} header fields must be one the authenticated user may send as, so that
 * a user cannot show another person's address to recipients while using their own in the envelope.
 * A message without a usable {@code From:} address is refused too (RFC 5322 requires one).
 */
final class FromHeaderCheck {

    private FromHeaderCheck() {
    }

    /** The refusal for this message, or empty when the check is off, not applicable or passed. */
    static Optional<Response> refusal(SessionServices services, SessionSnapshot snapshot, SpooledMessage message) {
        Optional<Submission> submission = services.submission();
        if (submission.isEmpty() || !submission.get().config().checkFromHeader() || snapshot.authenticatedUser().isEmpty()) {
            return Optional.empty();
        }
        String user = snapshot.authenticatedUser().get();
        List<String> addresses = new ArrayList<>();
        try {
            for (Header from : new SpooledMessageView(message).headers("From")) {
                for (Mailbox mailbox : LenientAddressParser.DEFAULT.parseAddressList(from.value()).flatten()) {
                    addresses.add(mailbox.getAddress());
                }
            }
        } catch (IOException e) {
            return Optional.of(new SMTPResponse("451", "4.3.0 Cannot read the message headers"));
        }
        if (addresses.isEmpty()) {
            return Optional.of(new SMTPResponse("553", "5.7.1 The From: header has no address"));
        }
        for (String address : addresses) {
            if (!submission.get().senders().allows(user, Optional.of(address))) {
                return Optional.of(new SMTPResponse("553", "5.7.1 From: address not owned by user " + user));
            }
        }
        return Optional.empty();
    }
}
