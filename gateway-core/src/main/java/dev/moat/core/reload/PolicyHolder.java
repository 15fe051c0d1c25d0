package dev.moat.core.reload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current {@link Policy}, swapped atomically by a reload, with reference counting so that a
 * replaced policy's filters are closed only once nothing uses them any more.
 *
 * <p>Call order: a user (an SMTP connection, a quarantine release, a simulation) calls
 * {@link #acquire()} and closes the {@link Lease} when done; a reload calls {@link #swap}; the
 * gateway calls {@link #close()} once at shutdown. The holder itself holds one reference to the
 * current policy, so a policy is closed when it has been swapped out <em>and</em> its last lease
 * was closed — by whichever thread does the last of the two.
 *
 * <p>Thread-safe and lock-free on the acquire path: {@link #acquire()} retries when it loses a
 * race with a swap that closed the policy it had read, so a lease never hands out a closed chain.
 */
public final class PolicyHolder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyHolder.class);

    private final AtomicReference<Counted> current;
    /** Swapped-out policies still in use, for the status view and for closing them at shutdown. */
    private final List<Counted> retired = new ArrayList<>();
    private volatile boolean closed;

    public PolicyHolder(Policy first) {
        this.current = new AtomicReference<>(new Counted(Objects.requireNonNull(first, "first")));
    }

    /** The current policy, for reading only (the admin views); use {@link #acquire()} to run it. */
    public Policy current() {
        return current.get().policy;
    }

    /**
     * Takes a reference to the current policy; close the lease exactly when done with it.
     *
     * @throws IllegalStateException once the holder is closed (the gateway is stopping)
     */
    public Lease acquire() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("the gateway is stopping: its filters are closed");
            }
            Counted c = current.get();
            if (c.retain()) {
                return new Lease(c);
            }
            // lost a race with swap() + the last release of that policy: read the new current one
        }
    }

    /**
     * Makes {@code next} the current policy. The previous one stays open for the leases taken on it
     * and is closed after the last of them is closed (at once if there is none).
     *
     * @return the previous policy
     */
    public Policy swap(Policy next) {
        Counted fresh = new Counted(Objects.requireNonNull(next, "next"));
        Counted old = current.getAndSet(fresh);
        synchronized (retired) {
            retired.removeIf(c -> c.refs.get() == 0); // keeps the list to the generations still in use
            retired.add(old);
        }
        old.release(); // the holder's own reference
        return old.policy;
    }

    /** Swapped-out policies whose filters are still in use by open connections. */
    public int retiredInUse() {
        synchronized (retired) {
            retired.removeIf(c -> c.refs.get() == 0);
            return retired.size();
        }
    }

    /** Closes the current policy and any retired one still open, whatever leases are left (shutdown). */
    @Override
    public void close() {
        closed = true;
        List<Counted> all;
        synchronized (retired) {
            all = new ArrayList<>(retired);
            retired.clear();
        }
        all.add(current.get());
        for (Counted c : all) {
            c.refs.set(0);
            c.closeNow();
        }
    }

    /** One reference to a policy; {@link #close()} gives it back (idempotent). */
    public static final class Lease implements AutoCloseable {

        private final Counted counted;
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        private Lease(Counted counted) {
            this.counted = counted;
        }

        public Policy policy() {
            return counted.policy;
        }

        @Override
        public void close() {
            if (open.getAndSet(false)) {
                counted.release();
            }
        }
    }

    private static final class Counted {
        final Policy policy;
        /** References: the holder's (while current) plus one per open lease; 0 = closed for good. */
        final AtomicInteger refs = new AtomicInteger(1);

        Counted(Policy policy) {
            this.policy = policy;
        }

        boolean retain() {
            while (true) {
                int r = refs.get();
                if (r == 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            int r = refs.decrementAndGet();
            if (r == 0) {
                closeNow();
            } else if (r < 0) {
                refs.set(0); // closed at shutdown already; a late lease changes nothing
            }
        }

        void closeNow() {
            if (!policy.chain().isClosed()) {
                LOG.info("Closing the filters of configuration generation {}", policy.generation());
                policy.chain().close();
            }
        }
    }
}
