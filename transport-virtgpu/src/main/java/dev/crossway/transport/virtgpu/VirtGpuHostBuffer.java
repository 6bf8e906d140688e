package dev.crossway.transport.virtgpu;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.HostBuffer;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Host-visible memory: a HOST3D blob exported as a dma-buf fd, mapped whole.
 *
 * <p>Ownership: this buffer owns the dma-buf fd and the mapping (the GEM handle was closed at once;
 * the dma-buf keeps the memory alive). {@link #close()} unmaps and closes both at once. The compositor
 * gets its own reference through {@link #dupFd()} and the SEND, so its copy outlives ours.
 */
final class VirtGpuHostBuffer implements HostBuffer {
    private final VirtGpuDrm drm;
    private final int fd;
    private final long size;
    private final long address;
    private final long mappedLength;
    private boolean closed;

    /** @param mappedLength the blob's whole size, as the host reported it (HOST3D mappings must cover it all) */
    VirtGpuHostBuffer(VirtGpuDrm drm, int fd, long size, long address, long mappedLength) {
        this.drm = drm;
        this.fd = fd;
        this.size = size;
        this.address = address;
        this.mappedLength = mappedLength;
    }

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
        return Native.newDirectByteBuffer(address, (int) size);
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
            drm.munmap(address, mappedLength);
        } catch (LinuxException e) {
            throw new UncheckedIOException(e);
        } finally {
            Fds.close(fd);
        }
    }

    @Override
    public String toString() {
        return "VirtGpuHostBuffer[dma-buf " + fd + ", " + size + " of " + mappedLength + " bytes" + (closed ? ", closed]" : "]");
    }
}
