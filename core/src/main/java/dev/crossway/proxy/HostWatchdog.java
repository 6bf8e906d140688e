package dev.crossway.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Watches the host connections of every probed session of the process (see {@link HostCheck}): one
 * tick every {@value #TICK_MILLIS} ms on the shared timer thread while any session is watched, and
 * none otherwise. Probes are sent from a small pool, never from the timer: a send to a host that stopped
 * reading may block.
 */
final class HostWatchdog {
    static final long TICK_MILLIS = 50;

    private static final Set<HostLiveness> WATCHED = ConcurrentHashMap.newKeySet();
    private static final ThreadPoolExecutor PROBES = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(null, r, "crossway-host-probe", 256 * 1024);
                t.setDaemon(true);
                return t;
            });
    private static ScheduledFuture<?> ticking; // guarded by HostWatchdog.class

    private HostWatchdog() {
    }

    static void watch(HostLiveness liveness) {
        WATCHED.add(liveness);
        synchronized (HostWatchdog.class) {
            if (ticking == null) {
                ticking = Timers.shared().scheduleWithFixedDelay(HostWatchdog::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    static void unwatch(HostLiveness liveness) {
        WATCHED.remove(liveness);
    }

    static void send(Runnable probe) {
        PROBES.execute(probe);
    }

    private static void tick() {
        long now = System.nanoTime();
        for (HostLiveness l : WATCHED) {
            try {
                l.tick(now);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(HostWatchdog.class).error("host watchdog tick failed", e);
            }
        }
        synchronized (HostWatchdog.class) {
            if (WATCHED.isEmpty() && ticking != null) {
                ticking.cancel(false);
                ticking = null;
            }
        }
    }
}
