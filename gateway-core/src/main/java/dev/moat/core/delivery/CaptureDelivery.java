package dev.moat.core.delivery;

import dev.moat.core.store.CaptureStore;
import dev.moat.core.store.CapturedEnvelope;
import dev.moat.core.store.MessageWriter;
import dev.moat.filter.Reply;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers into a local {@link CaptureStore}: the embedded default, and the quarantine. The store
 * writes durably (fsync, atomic rename) before this returns 250; any failure answers {@code 451 4.3.0}
 * so the client keeps the message and retries.
 */
public final class CaptureDelivery implements Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureDelivery.class);

    private final CaptureStore store;

    public CaptureDelivery(CaptureStore store) {
        this.store = store;
    }

    @Override
    public Reply deliver(CapturedEnvelope envelope, MessageWriter content) {
        try {
            store.store(envelope, content);
            return new Reply(250, "2.0.0", "Ok: queued as " + envelope.id());
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not store message {} in {}", envelope.id(), store.directory(), e);
            return new Reply(451, "4.3.0", "Local error in processing, try again later");
        }
    }

    public CaptureStore store() {
        return store;
    }
}
