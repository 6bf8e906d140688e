package dev.crossway.proxy;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Crossway's one timer thread, shared by every session of the process: the host watchdog's ticks and
 * the log limiters' summaries. Tasks must be short and must never block.
 */
final class Timers {
    private static final ScheduledThreadPoolExecutor SHARED;

    static {
        SHARED = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "crossway-timer");
            t.setDaemon(true);
            return t;
        });
        SHARED.setRemoveOnCancelPolicy(true);
    }

    private Timers() {
    }

    static ScheduledExecutorService shared() {
        return SHARED;
    }
}
