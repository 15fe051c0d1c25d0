package dev.moat.core.smtp;

import dev.moat.filter.Address;
import java.util.Optional;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

/** Converts James's address types to the SPI's. */
final class Addresses {

    private Addresses() {
    }

    static Address of(MailAddress address) {
        return Address.of(address.getLocalPart(), address.getDomain().asString());
    }

    static Optional<Address> of(MaybeSender sender) {
        return sender.asOptional().filter(a -> !a.isNullSender()).map(Addresses::of);
    }
}
