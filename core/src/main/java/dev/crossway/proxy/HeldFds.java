package dev.crossway.proxy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fds one client makes the daemon hold: fds it sent ahead of the messages that carry them, and
 * what Crossway keeps for it (its shm pools, host buffers). Counted against the client's limit and the
 * daemon's {@link FdBudget}; passing either is the client's protocol error, so one client holding
 * thousands of pools cannot leave another without fds.
 *
 * <p>Thread-safe. {@link #close()} gives everything back when the session ends; later calls count
 * nothing.
 */
public final class HeldFds {
    private final int clientId;
    private final int limit;
    private final FdBudget budget;
    private final AtomicInteger held = new AtomicInteger();
    private boolean closed;

    HeldFds(int clientId, int limit, FdBudget budget) {
        this.clientId = clientId;
        this.limit = limit;
        this.budget = budget;
    }

    /**
     * Counts {@code n} more fds held for {@code what} (e.g. "a wl_shm_pool").
     *
     * @throws ProtocolError naming the limit passed, for {@code wl_display@1}
     */
    public synchronized void take(int n, String what) throws ProtocolError {
        if (closed || n == 0) {
            return;
        }
        int now = held.get();
        if (now + n > limit) {
            throw new ProtocolError(1, ProtocolError.NO_MEMORY, "Crossway's limit of " + limit + " fds per client is reached: "
                    + what + " needs " + n + " more, and this client makes the daemon hold " + now
                    + " (fds sent ahead of their messages, shm pools, host buffers); raise crossway.limits.fds-per-client"
                    + " (--fds-per-client)");
        }
        if (!budget.tryTake(n)) {
            throw new ProtocolError(1, ProtocolError.NO_MEMORY, "Crossway's fds for all clients are used up: " + what + " needs "
                    + n + " more, and the daemon's clients hold " + budget.used() + " of the " + budget.total()
                    + " its open-file limit leaves them; raise that limit (ulimit -n, LimitNOFILE=) or lower"
                    + " crossway.limits.fds-per-client");
        }
        held.set(now + n);
    }

    /** Counts {@code n} fds as no longer held. */
    public synchronized void give(int n) {
        if (closed || n == 0) {
            return;
        }
        int now = held.get();
        int back = Math.min(n, now);
        held.set(now - back);
        budget.give(back);
    }

    /**
     * Sets the count for fds queued ahead of their messages to {@code queued}, given it was
     * {@code before}: what the request relay calls after each receive.
     */
    void queued(int before, int queued) throws ProtocolError {
        if (queued > before) {
            take(queued - before, "fds sent ahead of the messages that carry them (" + queued + " queued)");
        } else if (queued < before) {
            give(before - queued);
        }
    }

    public int held() {
        return held.get();
    }

    /** Gives everything back to the daemon's budget; the session has ended. */
    synchronized void close() {
        if (!closed) {
            budget.give(held.getAndSet(0));
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "client " + clientId + " holds " + held.get() + " fds (limit " + limit + ")";
    }
}
