package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A socket fd that one thread may close while others are blocked in calls on it.
 *
 * <p>Closing an fd under a blocked call is unsafe: the number can be reused by another open before the
 * blocked call returns, which would then read from or write to someone else's file. So {@link #close()}
 * only marks the fd closed and {@code shutdown(SHUT_RDWR)}s it, which wakes blocked {@code recvmsg}
 * (returns 0) and {@code accept4} (fails with EINVAL); the fd itself is closed by whoever leaves last,
 * the closer or the final call in progress.
 *
 * <p>A socket shared with another process (one systemd passed) must not be shut down, since that would
 * break it for the other holder too: {@link #GuardedFd(int, boolean)} with {@code shutdownOnClose}
 * false leaves the waking to the owner.
 *
 * <p>State: one int, {@link #CLOSED} bit plus the number of calls in progress. Allocation-free.
 */
final class GuardedFd {
    private static final int CLOSED = 1 << 30;

    private final int fd;
    private final boolean shutdownOnClose;
    private final AtomicInteger state = new AtomicInteger();

    GuardedFd(int fd) {
        this(fd, true);
    }

    GuardedFd(int fd, boolean shutdownOnClose) {
        this.fd = fd;
        this.shutdownOnClose = shutdownOnClose;
    }

    int fd() {
        return fd;
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Registers a call in progress; false when already closed (then do not use the fd). */
    boolean acquire() {
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
    void release() {
        if (state.decrementAndGet() == CLOSED) {
            Native.libc().close(fd);
        }
    }

    /**
     * Idempotent: wakes blocked calls (unless the fd is shared), and closes the fd now or when the last
     * call leaves.
     *
     * @return whether calls were in progress, which the owner of a shared fd must wake itself
     */
    boolean close() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            // Count the closer as a call in progress too, so the fd stays valid for shutdown().
        } while (!state.compareAndSet(s, (s | CLOSED) + 1));
        if (s != 0 && shutdownOnClose) {
            Native.libc().shutdown(fd, LibC.SHUT_RDWR); // ENOTCONN on an unconnected socket is harmless
        }
        release();
        return s != 0;
    }
}
