package dev.crossway.app;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * Gives memory back once the last client has gone: after {@link #QUIET_NANOS} without clients, one full
 * collection. An idle daemon allocates nothing, so without it the heap that hundreds of sessions needed
 * stays committed and their direct buffers stay allocated until some later collection that never comes;
 * the launcher's {@code -XX:-ShrinkHeapInSteps} lets this one collection shrink the heap at once, and its
 * {@code TrimNativeHeapInterval} returns the freed native memory. A busy daemon never gets here.
 *
 * <p>Its one thread is started with it and parks between idle periods: a thread started per idle period
 * would outlive the last session by a second, and checks that the daemon's threads are back would see it.
 */
final class IdleCollector implements AutoCloseable {
    static final long QUIET_NANOS = 1_000_000_000L;

    private final IntSupplier clients;
    private final Runnable collect;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "crossway-idle-gc");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile long lastClose;

    IdleCollector(IntSupplier clients) {
        this(clients, System::gc); // deliberate: the daemon is idle, and this is what returns the memory
    }

    /** @param collect what runs once the daemon is quiet: a full collection, or a test's counter */
    IdleCollector(IntSupplier clients, Runnable collect) {
        this.clients = clients;
        this.collect = collect;
        timer.prestartCoreThread();
    }

    /** A session closed; when it was the last, the collection is due once the daemon has been quiet a while. */
    void sessionClosed() {
        lastClose = System.nanoTime();
        if (clients.getAsInt() == 0 && waiting.compareAndSet(false, true)) {
            timer.schedule(this::whenQuiet, QUIET_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void whenQuiet() {
        long wait = lastClose + QUIET_NANOS - System.nanoTime();
        if (wait > 0) {
            timer.schedule(this::whenQuiet, wait, TimeUnit.NANOSECONDS); // a client came and went meanwhile
            return;
        }
        waiting.set(false);
        if (clients.getAsInt() == 0) {
            collect.run();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
