package dev.moat.filter;

/**
 * Header changes a {@link Filter#data} call asks for. The core applies them, in call order, after the
 * stage and only if the message is delivered or quarantined; the body is never touched.
 */
public interface HeaderMutations {

    /** Add a field at the top of the header (below Moat's Received header). */
    void add(Header header);

    /** Remove every field with this name (case-insensitive). */
    void remove(String name);

    /** Remove every field with this header's name, then add this one at the top. */
    default void replace(Header header) {
        remove(header.name());
        add(header);
    }
}
