package dev.moat.core.chain;

import dev.moat.filter.NoteKey;
import dev.moat.filter.Notes;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Notes} over a concurrent map: a session's stage calls never overlap, but they may run on
 * different pool threads one after the other, so the map must publish safely.
 */
public final class MapNotes implements Notes {

    private final ConcurrentHashMap<NoteKey<?>, Object> values = new ConcurrentHashMap<>();

    @Override
    public <T> Optional<T> get(NoteKey<T> key) {
        return Optional.ofNullable(values.get(key)).map(key.type()::cast);
    }

    @Override
    public <T> void put(NoteKey<T> key, T value) {
        Objects.requireNonNull(key, "key");
        values.put(key, key.type().cast(Objects.requireNonNull(value, "value")));
    }

    @Override
    public <T> void remove(NoteKey<T> key) {
        values.remove(key);
    }
}
