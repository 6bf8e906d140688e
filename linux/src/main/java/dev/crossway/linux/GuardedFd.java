package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An fd that one thread may close while others are blocked in calls on it: a socket, a DRM file, a
 * virtwl context.
 *
 * <p>Closing an fd under a blocked call is unsafe: the number can be reused by another open before the
 * blocked call returns, which would then read from or write to someone else's file. So {@link #close()}
 * only marks the fd closed and wakes the blocked calls (a socket is {@code shutdown(SHUT_RDWR)}, which
 * makes {@code recvmsg} return 0 and {@code accept4} fail; a device fd is polled beside a
 * {@link WakePipe}); the fd, and whatever belongs with it, is released by whoever leaves last, the closer
 * or the final call in progress.
 *
 * <p>A socket shared with another process (one systemd passed) must not be shut down, since that would
 * break it for the other holder too: its owner gives {@link #of} a wake that does nothing, and wakes
 * blocked calls itself when {@link #close()} says there were some.
 *
 * <p>State: one int, {@link #CLOSED} bit plus the number of calls in progress. Allocation-free.
 */
public final class GuardedFd {
    private static final int CLOSED = 1 << 30;

    private final int fd;
    private final Runnable wake;
    private final Runnable release;
    private final AtomicInteger state = new AtomicInteger();

    private GuardedFd(int fd, Runnable wake, Runnable release) {
        this.fd = fd;
        this.wake = wake;
        this.release = release;
    }

    /** A socket: closing shuts it down, which wakes calls blocked on it; the last one out closes it. */
    public static GuardedFd ofSocket(int fd) {
        return new GuardedFd(fd, () -> Native.libc().shutdown(fd, LibC.SHUT_RDWR), () -> Native.libc().close(fd));
    }

    /**
     * Any fd: closing runs {@code wake} (while calls are in progress), and the last one out runs
     * {@code release}, which closes the fd and everything that belongs with it.
     */
    public static GuardedFd of(int fd, Runnable wake, Runnable release) {
        return new GuardedFd(fd, wake, release);
    }

    public int fd() {
        return fd;
    }

    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Registers a call in progress; false when already closed (then do not use the fd). */
    public boolean acquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Ends a call started by a successful {@link #acquire()}. */
    public void release() {
        if (state.decrementAndGet() == CLOSED) {
            release.run();
        }
    }

    /**
     * Idempotent: wakes blocked calls, and releases the fd now or when the last call leaves.
     *
     * @return whether calls were in progress (a socket shared with another process, whose close wakes
     *         nothing, must then wake them itself)
     */
    public boolean close() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            // Count the closer as a call in progress too, so the fd stays valid while waking the others.
        } while (!state.compareAndSet(s, (s | CLOSED) + 1));
        if (s != 0) {
            wake.run(); // e.g. ENOTCONN from shutdown on an unconnected socket: harmless
        }
        release();
        return s != 0;
    }
}
