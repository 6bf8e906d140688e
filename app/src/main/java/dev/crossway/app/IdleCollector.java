package dev.crossway.app;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * Gives memory back once the last client has gone: after {@link #QUIET_NANOS} without clients, one full
 * collection. An idle daemon allocates nothing, so without it the heap that hundreds of sessions needed
 * stays committed and their direct buffers stay allocated until some later collection that never comes;
 * the launcher's {@code -XX:-ShrinkHeapInSteps} lets this one collection shrink the heap at once, and its
 * {@code TrimNativeHeapInterval} returns the freed native memory. A busy daemon never gets here.
 */
final class IdleCollector {
    static final long QUIET_NANOS = 1_000_000_000L;

    private final IntSupplier clients;
    private final Runnable collect;
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile long lastClose;

    IdleCollector(IntSupplier clients) {
        this(clients, System::gc); // deliberate: the daemon is idle, and this is what returns the memory
    }

    /** @param collect what runs once the daemon is quiet: a full collection, or a test's counter */
    IdleCollector(IntSupplier clients, Runnable collect) {
        this.clients = clients;
        this.collect = collect;
    }

    /** A session closed; when it was the last, a short-lived thread waits for the quiet time, then collects. */
    void sessionClosed() {
        lastClose = System.nanoTime();
        if (clients.getAsInt() == 0 && waiting.compareAndSet(false, true)) {
            Thread t = new Thread(this::awaitQuiet, "crossway-idle-gc");
            t.setDaemon(true);
            t.start();
        }
    }

    private void awaitQuiet() {
        try {
            long wait;
            while ((wait = lastClose + QUIET_NANOS - System.nanoTime()) > 0) {
                Thread.sleep(wait / 1_000_000 + 1);
            }
            if (clients.getAsInt() == 0) {
                collect.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.set(false);
        }
    }
}
