package dev.crossway.linux;

import java.nio.ByteBuffer;

/**
 * A pipe whose read end a thread polls beside the fds it waits on, so another thread can wake it: the
 * way out of a blocking {@code poll} for a closing connection or a pump with new work.
 *
 * <p>{@link #wake()} makes no garbage and never blocks: a full pipe (64 KiB of wake-ups) wakes the
 * poller anyway. Close it only once the poller has stopped.
 */
public final class WakePipe implements AutoCloseable {
    private final int readFd;
    private final int writeFd;
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private final ByteBuffer drain = ByteBuffer.allocateDirect(64);
    private boolean closed;

    private WakePipe(int[] ends) {
        this.readFd = ends[0];
        this.writeFd = ends[1];
    }

    public static WakePipe open() throws LinuxException {
        int[] ends = Fds.pipe();
        try {
            Fds.setNonBlocking(ends[0]);
            Fds.setNonBlocking(ends[1]);
        } catch (LinuxException e) {
            Fds.close(ends[0]);
            Fds.close(ends[1]);
            throw e;
        }
        return new WakePipe(ends);
    }

    /** The fd to poll for {@code POLLIN}. */
    public int fd() {
        return readFd;
    }

    /** Wakes the poller; callable from any thread. */
    public synchronized void wake() {
        if (closed) {
            return;
        }
        one.clear();
        try {
            Fds.tryWrite(writeFd, one);
        } catch (LinuxException e) {
            // nothing to do: the poller is gone or the pipe is full, which wakes it anyway
        }
    }

    /** Empties the pipe; for the poller, after {@code poll} reported it readable. */
    public void drain() {
        try {
            while (true) {
                drain.clear();
                if (Fds.tryRead(readFd, drain) <= 0) {
                    return;
                }
            }
        } catch (LinuxException e) {
            // closed under us: the poller is stopping
        }
    }

    /** Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Fds.close(readFd);
            Fds.close(writeFd);
        }
    }
}
