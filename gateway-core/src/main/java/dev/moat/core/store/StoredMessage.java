package dev.moat.core.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A complete message in a {@link CaptureStore}: what the store keeps in memory for listing and
 * retention, without the envelope (read that with {@link CaptureStore#readEnvelope}).
 *
 * <p>A snapshot: the files it names may be deleted at any time by retention or
 * {@link CaptureStore#delete}, so readers must be prepared for {@link java.nio.file.NoSuchFileException}.
 * Immutable and thread-safe.
 *
 * @param id         the message id, {@code [A-Za-z0-9._-]{1,64}}
 * @param receivedAt when the gateway received the message (from the envelope)
 * @param size       the byte count of the {@code .eml} file
 * @param emlFile    the message bytes, {@code <directory>/<id>.eml}
 * @param jsonFile   the envelope, {@code <directory>/<id>.json}
 */
public record StoredMessage(String id, Instant receivedAt, long size, Path emlFile, Path jsonFile) {

    /** Validates the id and rejects nulls and a negative size. */
    public StoredMessage {
        MessageIds.requireValid(id);
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(emlFile, "emlFile");
        Objects.requireNonNull(jsonFile, "jsonFile");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
    }
}
