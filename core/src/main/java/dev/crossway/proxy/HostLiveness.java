package dev.crossway.proxy;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One session's side of the {@link HostWatchdog}: what the relays tell it, at the cost of two volatile
 * writes per batch of host messages, and the watchdog's view of the host (see {@link HostCheck}).
 *
 * <p>The host counts as heard whenever the event relay received something, or is not waiting for the
 * host at all (it is relaying, or blocked on a client that does not read: back-pressure, not silence).
 * The probe is a {@code wl_display.sync} on a callback of Crossway's own; it leaves between the request
 * relay's batches ({@link #requestBatch}), so host ids stay in sending order.
 */
final class HostLiveness {
    private final Session session;
    private final HostCheck check;
    /** Held by the request relay while it relays a batch toward the host; a probe takes it in between. */
    final ReentrantLock requestBatch = new ReentrantLock();

    // Written by the event relay.
    private volatile boolean awaitingHost = true;
    private volatile long hostReads;
    /** When the event relay first waited for the host (0: not yet). */
    private volatile long firstWait;
    /** When the connect probe had left (0: not yet); written by the request relay. */
    private volatile long connectProbeSent;

    // The watchdog's (timer thread), except as noted.
    private long seenReads;
    private long lastHeard;
    /** When the pending probe was asked for (0: none); its deadline is {@code probeAsked + probeTimeout}. */
    private long probeAsked;
    private long probeTimeout;
    private boolean connectProbe;
    /** A probe is due: whichever gets the batch lock first sends it (the request relay between batches, or the pool). */
    private final java.util.concurrent.atomic.AtomicBoolean probeWanted = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean sending;
    private boolean reported;

    HostLiveness(Session session, HostCheck check) {
        this.session = session;
        this.check = check;
    }

    /** The session starts: its connect probe is due now (the request relay sends it first thing). */
    void started(long now) {
        lastHeard = now;
        probeAsked = now;
        probeTimeout = check.connectTimeout().toNanos();
        connectProbe = true;
    }

    /** The event relay is about to wait for the host. */
    void awaitingHost() {
        awaitingHost = true;
        if (firstWait == 0) {
            firstWait = System.nanoTime();
        }
    }

    /** The connect probe has been handed to the host connection. */
    void connectProbeSent() {
        connectProbeSent = System.nanoTime();
    }

    /**
     * From when the connect probe's answer is timed: once the probe has left and the event relay waits for
     * the host. What comes before is the guest's own start-up of the session (its threads, first class loads),
     * which takes seconds on an emulated CPU and is no sign of the host; {@code check.timeout()} bounds it.
     * 0: not yet.
     */
    private long connectClock(long now) {
        long sent = connectProbeSent;
        long waiting = firstWait;
        if (sent != 0 && waiting != 0) {
            return Math.max(sent, waiting);
        }
        return now - probeAsked >= check.timeout().toNanos() ? probeAsked : 0;
    }

    /** The event relay received something from the host (or the receive ended). */
    void heard() {
        awaitingHost = false;
        hostReads++; // one writer: the event relay
    }

    /** Whether a probe is due; read by the request relay after each batch (one volatile read). */
    boolean probeWanted() {
        return probeWanted.get();
    }

    /** Claims the due probe for sending; false when there is none (someone else sent it). Under the batch lock. */
    boolean claimProbe() {
        return probeWanted.compareAndSet(true, false);
    }

    /** One watchdog tick; never blocks. */
    void tick(long now) {
        if (reported) {
            return;
        }
        long reads = hostReads;
        if (reads != seenReads || !awaitingHost) {
            seenReads = reads;
            lastHeard = now;
            probeAsked = 0;
            return;
        }
        if (probeAsked != 0) {
            long from = connectProbe ? connectClock(now) : probeAsked;
            if (from != 0 && now - from >= probeTimeout) {
                reported = true;
                session.hostUnresponsive(describe());
            } else if (probeWanted.get() && !sending) {
                ask(); // the request relay was blocked at the last try
            }
            return;
        }
        if (now - lastHeard >= check.idle().toNanos()) {
            probeAsked = now;
            probeTimeout = check.timeout().toNanos();
            connectProbe = false;
            ask();
        }
    }

    /**
     * How soon this session needs the watchdog's next tick: fine while its connect probe is timed, then a
     * tenth of its shortest wait (the idle time or the timeout), within the watchdog's bounds. Timer thread.
     */
    long tickNanos() {
        long fine = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(HostWatchdog.FINE_TICK_MILLIS);
        if (!reported && connectProbe && probeAsked != 0) {
            return fine;
        }
        long coarse = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(HostWatchdog.COARSE_TICK_MILLIS);
        return Math.max(fine, Math.min(coarse, Math.min(check.idle().toNanos(), check.timeout().toNanos()) / 10));
    }

    /**
     * Asks for a probe: the request relay sends it after its current batch if it is relaying; if it is
     * waiting for the client, a thread of the pool sends it.
     */
    private void ask() {
        probeWanted.set(true);
        sending = true;
        HostWatchdog.send(() -> {
            try {
                session.sendProbe(false);
            } catch (java.io.IOException e) {
                // the host connection failed: the relays see that too and end the session
            } finally {
                sending = false;
            }
        });
    }

    private String describe() {
        if (connectProbe) {
            return "the host compositor did not answer within " + words(check.connectTimeout()) + " of connecting: it is not"
                    + " running, or the transport cannot reach it (for a VM: is the host's compositor up, and the VMM's Wayland"
                    + " socket path right?); raise crossway.host-check.connect-timeout if the host is only slow";
        }
        return "the host compositor stopped answering: silent for " + words(check.idle().plus(check.timeout()))
                + " and no answer to a round trip within " + words(check.timeout()) + " (it hung, or went away without the"
                + " transport telling the guest); raise crossway.host-check.timeout if the host is only slow";
    }

    private static String words(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
