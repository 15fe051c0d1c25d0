package dev.moat.filter;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The SMTP envelope of a transaction. A snapshot; immutable. */
public interface Envelope {

    /** The reverse path; empty for the null sender {@code <>} (bounces). */
    Optional<Address> sender();

    /** MAIL FROM parameters with upper-case names, e.g. {@code SIZE}, {@code BODY}; a flag has an empty value. */
    Map<String, String> mailParameters();

    /** The recipients accepted so far, in the order the client gave them. */
    List<Address> recipients();
}
