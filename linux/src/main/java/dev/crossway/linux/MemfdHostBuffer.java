package dev.crossway.linux;

import java.nio.ByteBuffer;

/**
 * Host memory on this machine (the loopback transport's separate-memory mode): a memfd of exactly the
 * requested size, mapped read-write.
 *
 * <p>Ownership: this buffer owns the memfd and the mapping; {@link #close()} unmaps and closes both at
 * once. The compositor gets its own fd through {@link #dupFd()}, so its mapping outlives ours.
 */
public final class MemfdHostBuffer extends MappedHostBuffer {
    private final ByteBuffer mapping;

    private MemfdHostBuffer(int fd, long size, ByteBuffer mapping) {
        super(fd, size);
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
    protected ByteBuffer view() {
        return mapping.duplicate();
    }

    @Override
    protected void unmap() throws LinuxException {
        Fds.unmap(mapping);
    }

    @Override
    public String toString() {
        return "MemfdHostBuffer[memfd " + fd() + ", " + size() + " bytes" + (isClosed() ? ", closed]" : "]");
    }
}
