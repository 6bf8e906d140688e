package dev.crossway.linux;

import dev.crossway.spi.HostBuffer;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Host memory on this machine (the loopback transport's separate-memory mode): a memfd of exactly the
 * requested size, mapped read-write.
 *
 * <p>Ownership: this buffer owns the memfd and the mapping; {@link #close()} unmaps and closes both at
 * once. The compositor gets its own fd through {@link #dupFd()}, so its mapping outlives ours.
 */
public final class MemfdHostBuffer implements HostBuffer {
    private final int fd;
    private final long size;
    private final ByteBuffer mapping;
    private boolean closed;

    private MemfdHostBuffer(int fd, long size, ByteBuffer mapping) {
        this.fd = fd;
        this.size = size;
        this.mapping = mapping;
    }

    /** @throws IllegalArgumentException if {@code size} is not in 1..Integer.MAX_VALUE (one ByteBuffer's reach) */
    public static MemfdHostBuffer allocate(long size) throws LinuxException {
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("host buffer size must be 1.." + Integer.MAX_VALUE + " bytes, was " + size);
        }
        int fd = Fds.memfd("crossway-host-buffer", size);
        try {
            return new MemfdHostBuffer(fd, size, Fds.map(fd, size, true));
        } catch (LinuxException | RuntimeException e) {
            Fds.close(fd);
            throw e;
        }
    }

    @Override
    public long size() {
        return size;
    }

    /** A fresh view (position 0, limit = size) of the one mapping; do not use it after {@link #close()}. */
    @Override
    public synchronized ByteBuffer memory() {
        if (closed) {
            throw new IllegalStateException("host buffer is closed: " + this);
        }
        return mapping.duplicate();
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
        try {
            return Fds.dup(fd);
        } catch (LinuxException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Idempotent. Views from {@link #memory()} must not be touched afterwards: unmapped memory crashes the JVM. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Fds.unmap(mapping);
        } catch (LinuxException e) {
            throw new UncheckedIOException(e); // only if the mapping was corrupted: a bug worth surfacing
        } finally {
            Fds.close(fd);
        }
    }

    @Override
    public String toString() {
        return "MemfdHostBuffer[memfd " + fd + ", " + size + " bytes" + (closed ? ", closed]" : "]");
    }
}
