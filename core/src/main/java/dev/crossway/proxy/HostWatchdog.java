package dev.crossway.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Watches the host connections of every probed session of the process (see {@link HostCheck}) from the
 * shared timer thread, while any session is watched and never otherwise. Ticks are fine ({@value
 * #FINE_TICK_MILLIS} ms) only while a session times its connect probe, whose answer is due within a
 * second; after that a session's waits are seconds long and a tick a tenth of them suffices, so an idle
 * daemon with clients wakes a few times a second instead of twenty. Probes are sent from a small pool,
 * never from the timer: a send to a host that stopped reading may block.
 */
final class HostWatchdog {
    static final long FINE_TICK_MILLIS = 50;
    static final long COARSE_TICK_MILLIS = 1000;

    private static final Set<HostLiveness> WATCHED = ConcurrentHashMap.newKeySet();
    private static final ThreadPoolExecutor PROBES = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(null, r, "crossway-host-probe", 256 * 1024);
                t.setDaemon(true);
                return t;
            });
    // Guarded by HostWatchdog.class: the next tick and when it is due (System.nanoTime()).
    private static ScheduledFuture<?> next;
    private static long nextAt;

    private HostWatchdog() {
    }

    static void watch(HostLiveness liveness) {
        WATCHED.add(liveness);
        scheduleWithin(TimeUnit.MILLISECONDS.toNanos(FINE_TICK_MILLIS)); // its connect probe is timed from now
    }

    static void unwatch(HostLiveness liveness) {
        WATCHED.remove(liveness);
    }

    static void send(Runnable probe) {
        PROBES.execute(probe);
    }

    private static void tick() {
        synchronized (HostWatchdog.class) {
            next = null;
        }
        long now = System.nanoTime();
        long wanted = TimeUnit.MILLISECONDS.toNanos(COARSE_TICK_MILLIS);
        for (HostLiveness l : WATCHED) {
            try {
                l.tick(now);
                wanted = Math.min(wanted, l.tickNanos());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(HostWatchdog.class).error("host watchdog tick failed", e);
            }
        }
        if (!WATCHED.isEmpty()) {
            scheduleWithin(wanted);
        }
    }

    /** Makes sure a tick comes within {@code nanos}; an earlier one already scheduled stays. */
    private static synchronized void scheduleWithin(long nanos) {
        long at = System.nanoTime() + nanos;
        if (next != null && nextAt - at <= 0) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        nextAt = at;
        next = Timers.shared().schedule(HostWatchdog::tick, nanos, TimeUnit.NANOSECONDS);
    }
}
