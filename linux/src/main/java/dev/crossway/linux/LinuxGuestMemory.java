package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.proxy.GuestMemory;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A client's shm pool, read so that the client cannot make Crossway fault (see {@link GuestMemory}).
 * One of two ways, chosen when the pool is opened:
 *
 * <ul>
 *   <li><b>mapped</b>: a memfd on shmem sealed against shrinking ({@code F_SEAL_SHRINK}) and at least as
 *       large as the pool can never lose the pages behind a mapping, so it is mapped read-only and
 *       copied at memcpy speed. weston's and foot's pools, and libwayland-cursor's, are such memfds.
 *       (Not a hugetlbfs memfd: a fault there fails with SIGBUS when huge pages run out.)
 *   <li><b>pread</b>: any other file, and any pool the caller does not allow to be mapped (see
 *       {@link dev.crossway.proxy.Kernel#openGuestMemory}), is never mapped; rows are read with {@code pread} straight into
 *       host memory. A file that shrank gives a short read instead of SIGBUS, and holes read as zeros
 *       without allocating memory, so a sparse pool costs the daemon nothing.
 * </ul>
 *
 * <p>Owns the client's fd and the mapping; {@link #close()} releases both.
 */
final class LinuxGuestMemory implements GuestMemory {
    private final int fd;
    private boolean mapped;
    private ByteBuffer mapping;
    private long size;
    private boolean closed;

    private LinuxGuestMemory(int fd, boolean mapped, ByteBuffer mapping, long size) {
        this.fd = fd;
        this.mapped = mapped;
        this.mapping = mapping;
        this.size = size;
    }

    /** Takes over {@code fd}, also when it fails. */
    static LinuxGuestMemory open(int fd, long size, boolean mayMap) throws IOException {
        try {
            checkFileSize(fd, size);
            if (mayMap && cannotShrink(fd)) {
                return new LinuxGuestMemory(fd, true, Fds.map(fd, size, false), size);
            }
            return new LinuxGuestMemory(fd, false, null, size);
        } catch (IOException | RuntimeException e) {
            Fds.close(fd);
            throw e;
        }
    }

    private static void checkFileSize(int fd, long size) throws IOException {
        long fileSize = Fds.size(fd);
        if (fileSize < size) {
            throw new IOException("the file behind the fd holds " + fileSize + " bytes, fewer than the pool's " + size);
        }
    }

    /** A shmem memfd sealed against shrinking: its mapped pages cannot go away under us. */
    private static boolean cannotShrink(int fd) {
        try {
            return (Fds.seals(fd) & LibC.F_SEAL_SHRINK) != 0 && Fds.fileSystemType(fd) == LibC.TMPFS_MAGIC;
        } catch (LinuxException e) {
            return false; // not a memfd (EINVAL): no seals
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void resize(long newSize, boolean mayMap) throws IOException {
        checkFileSize(fd, newSize);
        if (mapped) {
            ByteBuffer bigger = mayMap ? Fds.map(fd, newSize, false) : null;
            Fds.unmap(mapping);
            mapping = bigger;
            mapped = mayMap;
        }
        size = newSize;
    }

    @Override
    public long mappedBytes() {
        return mapped ? size : 0;
    }

    @Override
    public boolean copyRows(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride) {
        boolean contiguous = rowBytes == stride && rowBytes == dstStride;
        if (mapped) {
            if (contiguous) {
                dst.put(dstOffset, mapping, (int) offset, rowBytes * rows);
            } else {
                for (int r = 0; r < rows; r++) {
                    dst.put(dstOffset + r * dstStride, mapping, (int) (offset + (long) r * stride), rowBytes);
                }
            }
            return true;
        }
        long base = Native.address(dst) + dstOffset;
        try {
            if (contiguous) {
                long bytes = (long) rowBytes * rows;
                return Fds.pread(fd, base, bytes, offset) == bytes;
            }
            for (int r = 0; r < rows; r++) {
                if (Fds.pread(fd, base + (long) r * dstStride, rowBytes, offset + (long) r * stride) != rowBytes) {
                    return false;
                }
            }
            return true;
        } catch (LinuxException e) {
            return false; // EIO and the like: as unreadable as a shrunk file
        }
    }

    @Override
    public String method() {
        return mapped ? "mapped (memfd sealed against shrinking)" : "pread";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (mapping != null) {
            try {
                Fds.unmap(mapping);
            } catch (LinuxException e) {
                throw new IllegalStateException(e.getMessage(), e); // only if the mapping was corrupted: a bug
            } finally {
                mapping = null;
                Fds.close(fd);
            }
        } else {
            Fds.close(fd);
        }
    }

    @Override
    public String toString() {
        return "LinuxGuestMemory[fd " + fd + ", " + size + " bytes, " + method() + (closed ? ", closed]" : "]");
    }
}
