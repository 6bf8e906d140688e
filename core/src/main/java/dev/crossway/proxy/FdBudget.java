package dev.crossway.proxy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fds the whole daemon lets its clients make it hold: its open-file limit less a reserve for
 * itself. Every session counts what it holds here ({@link HeldFds}), so clients together can never
 * run the daemon out of fds: the one that would pass the budget gets a protocol error instead, and
 * no innocent client meets EMFILE.
 */
public final class FdBudget {
    private final int total;
    private final AtomicInteger used = new AtomicInteger();

    /** @param total fds all clients together may make the daemon hold */
    public FdBudget(int total) {
        if (total < 1) {
            throw new IllegalArgumentException("an fd budget must be positive, was " + total);
        }
        this.total = total;
    }

    /** A budget too large to matter, for tests and tools that open few sessions. */
    public static FdBudget unlimited() {
        return new FdBudget(Integer.MAX_VALUE);
    }

    public int total() {
        return total;
    }

    public int used() {
        return used.get();
    }

    /** Counts {@code n} more fds; false (and nothing counted) when that would pass the total. */
    public boolean tryTake(int n) {
        while (true) {
            int u = used.get();
            if ((long) u + n > total) {
                return false;
            }
            if (used.compareAndSet(u, u + n)) {
                return true;
            }
        }
    }

    public void give(int n) {
        used.addAndGet(-n);
    }

    @Override
    public String toString() {
        return "FdBudget[" + used.get() + " of " + total + "]";
    }
}
