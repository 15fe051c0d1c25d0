package dev.moat.core.queue;

import dev.moat.core.config.RouteConfig;
import java.time.Duration;
import java.util.Comparator;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages of one route waiting for their next attempt, soonest first, and the hand-off to that
 * route's workers: a message is in the lane only while it is neither held nor being delivered, so
 * two workers never have the same message. Thread-safe.
 */
final class Lane {

    /** A queued message as the scheduler sees it. Fields guarded by the lane's lock unless noted. */
    static final class Item {
        final String id;
        volatile QueueStore.Entry entry;
        volatile QueueState state;
        volatile Lane lane;
        long due;
        boolean busy;
        boolean waiting;
        /** Operator requests that arrive while a worker has the message. */
        volatile boolean deleteRequested;

        Item(QueueStore.Entry entry, QueueState state) {
            this.id = entry.envelope().id();
            this.entry = entry;
            this.state = state;
        }
    }

    private static final Comparator<Item> SOONEST = Comparator.<Item>comparingLong(i -> i.due).thenComparing(i -> i.id);

    final RouteConfig route;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeSet<Item> waiting = new TreeSet<>(SOONEST);
    private boolean closed;

    Lane(RouteConfig route) {
        this.route = route;
    }

    /** Makes the item due at {@code dueMillis} (epoch ms), unless a worker has it or it is held. */
    void schedule(Item item, long dueMillis) {
        lock.lock();
        try {
            if (item.waiting) {
                waiting.remove(item);
                item.waiting = false;
            }
            item.due = dueMillis;
            if (!item.busy && !item.state.held() && !closed) {
                waiting.add(item);
                item.waiting = true;
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the item out of the schedule (hold, delete, move); false if a worker has it now. */
    boolean unschedule(Item item) {
        lock.lock();
        try {
            if (item.waiting) {
                waiting.remove(item);
                item.waiting = false;
            }
            return !item.busy;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next due item, marked busy; waits up to {@code idle} for one. Null when none became due in
     * that time (the worker then closes its idle connection) or the lane is closed.
     */
    Item take(Duration idle, java.time.Clock clock) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(1, idle.toNanos());
        lock.lock();
        try {
            while (!closed) {
                Item first = waiting.isEmpty() ? null : waiting.first();
                long now = clock.millis();
                if (first != null && first.due <= now) {
                    waiting.pollFirst();
                    first.waiting = false;
                    first.busy = true;
                    return first;
                }
                long wait = deadline - System.nanoTime();
                if (first != null) {
                    wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(first.due - now));
                }
                if (wait <= 0) {
                    if (deadline - System.nanoTime() <= 0) {
                        return null;
                    }
                    continue;
                }
                changed.awaitNanos(wait);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The worker is done with the item; {@code nextDue} reschedules it, or it leaves the lane (null). */
    void done(Item item, Long nextDue) {
        lock.lock();
        try {
            item.busy = false;
        } finally {
            lock.unlock();
        }
        if (nextDue != null) {
            schedule(item, nextDue);
        }
    }

    boolean busy(Item item) {
        lock.lock();
        try {
            return item.busy;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            waiting.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
