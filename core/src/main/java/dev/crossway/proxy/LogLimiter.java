package dev.crossway.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Limits one kind of log line that clients can cause (protocol errors, internal errors), across the
 * daemon: at most {@code burst} lines per window; beyond that the lines are counted, and one summary
 * follows when the window ends, e.g. {@code 1,234 more protocol errors suppressed in the last 10 s
 * (clients 8 to 1,241)}. A client that reconnects to break the protocol again and again thus costs the
 * log a few lines per window, not one (or a stack trace) per connection.
 *
 * <p>Thread-safe; the summary is written by Crossway's timer thread ({@link Timers}).
 */
public final class LogLimiter {
    private final Logger log;
    private final String what;
    private final String keyNoun;
    private final int burst;
    private final long windowNanos;
    // Guarded by this.
    private long windowStart = System.nanoTime();
    private int logged;
    private long suppressed;
    private long firstKey;
    private long lastKey;
    private boolean summaryScheduled;

    /**
     * @param what    the lines' subject in the summary, plural ("protocol errors")
     * @param keyNoun what the keys passed to {@link #allow} are, plural ("clients", "incidents")
     */
    public LogLimiter(Logger log, String what, String keyNoun, int burst, Duration window) {
        this.log = log;
        this.what = what;
        this.keyNoun = keyNoun;
        this.burst = burst;
        this.windowNanos = window.toNanos();
    }

    /**
     * Whether to write one more line now, about {@code key} (a client id, an incident number); when
     * not, the line is counted for the window's summary.
     */
    public synchronized boolean allow(long key) {
        long now = System.nanoTime();
        if (now - windowStart >= windowNanos) {
            summarize();
            windowStart = now;
            logged = 0;
        }
        if (logged < burst) {
            logged++;
            return true;
        }
        if (suppressed == 0) {
            firstKey = key;
        }
        lastKey = key;
        suppressed++;
        if (!summaryScheduled) {
            summaryScheduled = true;
            Timers.shared().schedule(this::endOfWindow, windowStart + windowNanos - now, TimeUnit.NANOSECONDS);
        }
        return false;
    }

    /** Lines suppressed in the current window, for tests. */
    synchronized long suppressed() {
        return suppressed;
    }

    private synchronized void endOfWindow() {
        summaryScheduled = false;
        if (System.nanoTime() - windowStart >= windowNanos) {
            summarize();
            windowStart = System.nanoTime();
            logged = 0;
        } else if (suppressed > 0) {
            summaryScheduled = true;
            Timers.shared().schedule(this::endOfWindow, windowStart + windowNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    private void summarize() {
        if (suppressed == 0) {
            return;
        }
        String keys = firstKey == lastKey ? keyNoun.substring(0, keyNoun.length() - 1) + " " + firstKey
                : keyNoun + " " + firstKey + " to " + lastKey;
        long ms = TimeUnit.NANOSECONDS.toMillis(windowNanos);
        log.warn(String.format("%,d more %s suppressed in the last %s (%s)", suppressed, what,
                ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms", keys));
        suppressed = 0;
    }
}
