package dev.moat.core.message;

import dev.moat.filter.Header;
import dev.moat.filter.HeaderMutations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The header changes asked for during a transaction, folded into their net effect: fields to add at
 * the top (in the order asked) and names whose original fields go. A removal affects only what exists
 * when it is asked, so {@code replace} (remove, then add) keeps the new field. One session thread.
 */
public final class HeaderEdits implements HeaderMutations {

    private final List<Header> added = new ArrayList<>();
    private final Set<String> removedOriginals = new HashSet<>();

    @Override
    public void add(Header header) {
        added.add(Objects.requireNonNull(header, "header"));
    }

    @Override
    public void remove(String name) {
        Objects.requireNonNull(name, "name");
        added.removeIf(h -> h.hasName(name));
        removedOriginals.add(name.toLowerCase(Locale.ROOT));
    }

    public boolean isEmpty() {
        return added.isEmpty() && removedOriginals.isEmpty();
    }

    List<Header> added() {
        return added;
    }

    boolean removesOriginal(String name) {
        return removedOriginals.contains(name.toLowerCase(Locale.ROOT));
    }
}
