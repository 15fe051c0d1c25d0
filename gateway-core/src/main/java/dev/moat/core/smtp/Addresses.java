package dev.moat.core.smtp;

import dev.moat.filter.Address;
import java.util.Optional;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

/** Converts James's address types to the SPI's. */
final class Addresses {

    private Addresses() {
    }

    /** Throws IllegalArgumentException for an address the SPI cannot represent. */
    static Address of(MailAddress address) {
        String domain = address.getDomain().asString();
        // James drops the brackets of an address literal; a dotted quad cannot be a host name (no
        // all-numeric top-level domain), so the brackets are put back and the literal stays a literal.
        if (IPV4.matcher(domain).matches()) {
            domain = "[" + domain + "]";
        }
        return Address.of(address.getLocalPart(), domain);
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    static Optional<Address> of(MaybeSender sender) {
        return sender.asOptional().filter(a -> !a.isNullSender()).map(Addresses::of);
    }
}
