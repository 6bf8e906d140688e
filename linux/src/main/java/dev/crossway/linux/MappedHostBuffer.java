package dev.crossway.linux;

import dev.crossway.spi.HostBuffer;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * What every transport's host memory shares: an fd the buffer owns and a mapping of it, both released
 * at once by {@link #close()} (never by the garbage collector). Subclasses say how to view and unmap
 * the mapping, and may record each {@link #dupFd()} they hand out ({@link Issuer}), so their connection's
 * send knows the fd when it comes back.
 */
public abstract class MappedHostBuffer implements HostBuffer {
    /** Records a duplicate about to be handed out. */
    @FunctionalInterface
    public interface Issuer {
        void issue(int dupFd) throws LinuxException;
    }

    private final int fd;
    private final long size;
    private final Issuer issuer;
    private boolean closed;

    protected MappedHostBuffer(int fd, long size) {
        this(fd, size, dup -> { });
    }

    protected MappedHostBuffer(int fd, long size, Issuer issuer) {
        this.fd = fd;
        this.size = size;
        this.issuer = issuer;
    }

    /** A fresh view of the mapping, position 0, limit = size. */
    protected abstract ByteBuffer view();

    /** Removes the mapping; called once, by {@link #close()}, before the fd is closed. */
    protected abstract void unmap() throws LinuxException;

    @Override
    public long size() {
        return size;
    }

    /** A fresh view (position 0, limit = size) of the mapping; do not use it after {@link #close()}. */
    @Override
    public synchronized ByteBuffer memory() {
        if (closed) {
            throw new IllegalStateException("host buffer is closed: " + this);
        }
        return view();
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public synchronized int dupFd() {
        if (closed) {
            throw new IllegalStateException("host buffer is closed: " + this);
        }
        int dup;
        try {
            dup = Fds.dup(fd);
        } catch (LinuxException e) {
            throw new UncheckedIOException(e);
        }
        try {
            issuer.issue(dup);
        } catch (LinuxException e) {
            Fds.close(dup);
            throw new UncheckedIOException(e);
        }
        return dup;
    }

    protected synchronized boolean isClosed() {
        return closed;
    }

    /** Idempotent. Views from {@link #memory()} must not be touched afterwards: unmapped memory crashes the JVM. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            unmap();
        } catch (LinuxException e) {
            throw new UncheckedIOException(e); // only if the mapping was corrupted: a bug worth surfacing
        } finally {
            Fds.close(fd);
        }
    }
}
