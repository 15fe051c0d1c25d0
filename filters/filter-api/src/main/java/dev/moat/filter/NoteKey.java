package dev.moat.filter;

import java.util.Objects;

/**
 * A typed key for {@link Notes}. Keys compare by identity, so a filter keeps its keys in
 * {@code static final} fields and other filters cannot collide with them by accident.
 *
 * @param <T> the type of the value stored under this key
 */
public final class NoteKey<T> {

    private final String name;
    private final Class<T> type;

    private NoteKey(String name, Class<T> type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    public static <T> NoteKey<T> of(String name, Class<T> type) {
        return new NoteKey<>(name, type);
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public String toString() {
        return name + ":" + type.getSimpleName();
    }
}
