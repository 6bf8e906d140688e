package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.proxy.GuestMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A client's shm pool, read so that the client cannot make Crossway fault (see {@link GuestMemory}).
 * One of three ways, chosen when the pool is opened (and again when it grows):
 *
 * <ul>
 *   <li><b>mapped</b>: a memfd on shmem sealed against shrinking ({@code F_SEAL_SHRINK}) and at least as
 *       large as the pool can never lose the pages behind a mapping, so it is mapped read-only and
 *       copied at memcpy speed. weston's and foot's pools, and libwayland-cursor's, are such memfds.
 *       (Not a hugetlbfs memfd: a fault there fails with SIGBUS when huge pages run out.)
 *   <li><b>mapped, read with process_vm_readv</b>: any other pool is mapped too, but never touched:
 *       {@code process_vm_readv} on this process copies the damaged rows out of the mapping in one
 *       system call, and where the file shrank it returns an error (EFAULT) instead of raising SIGBUS.
 *   <li><b>pread</b>: a pool the caller does not allow to be mapped (see
 *       {@link dev.crossway.proxy.Kernel#openGuestMemory}) is read row by row with {@code pread}. A file
 *       that shrank gives a short read; holes read as zeros without allocating memory, so a sparse pool
 *       costs the daemon nothing.
 * </ul>
 *
 * <p>A pool is mapped only from its second copy on: GTK3 makes a new pool for every frame and copies
 * from it once, and for that one copy {@code pread} costs less than a mapping made and unmade.
 *
 * <p>Memory a VM transport made (a dma-buf of a virtio-gpu blob, a virtwl VFD: the host's keymaps) cannot
 * be read with {@code pread} and never changes size, whatever fstat reports; it is mapped at its first
 * copy and read directly (its driver refuses a mapping larger than the memory, so nothing can fault).
 *
 * <p>What each costs is measured by {@code DamageCopyBenchmark} (bench module).
 * Owns the client's fd and the mapping; {@link #close()} releases both.
 */
final class LinuxGuestMemory implements GuestMemory {
    private static final LibC LIBC = Native.libc();
    private static final int PID = LIBC.getpid();
    /** iovec arrays for process_vm_readv (local, then remote), one pair per relay thread: no garbage per copy. */
    private static final ThreadLocal<ByteBuffer> IOVECS = ThreadLocal.withInitial(() ->
            ByteBuffer.allocateDirect(2 * LibC.IOV_MAX * LibC.IOVEC_SIZE).order(ByteOrder.nativeOrder()));

    private enum Way { MAPPED, CHECKED, PREAD }

    private final int fd;
    private final boolean sealed;
    /** Memory of a device (see {@link #isDeviceMemory}): mapped at its first copy, never read with pread. */
    private final boolean device;
    private boolean mayMap;
    private int copies;
    private Way way;
    private ByteBuffer mapping;
    private long mappingAddress;
    private long size;
    private boolean closed;
    /** pread said EINVAL: the file has no read operation (device memory). */
    private boolean unreadable;
    /** Why device memory could not be mapped, for {@link #method()}; null when it could. */
    private String mapFailure;

    private LinuxGuestMemory(int fd, boolean device, boolean sealed, long size) {
        this.fd = fd;
        this.device = device;
        this.sealed = sealed;
        this.size = size;
    }

    /** Takes over {@code fd}, also when it fails. */
    static LinuxGuestMemory open(int fd, long size, boolean mayMap) throws IOException {
        try {
            boolean device = isDeviceMemory(fd);
            if (!device) {
                checkFileSize(fd, size);
            }
            LinuxGuestMemory m = new LinuxGuestMemory(fd, device, device || cannotShrink(fd), size);
            m.choose(mayMap);
            return m;
        } catch (IOException | RuntimeException e) {
            Fds.close(fd);
            throw e;
        }
    }

    private void choose(boolean mayMap) {
        this.mayMap = mayMap;
        way = Way.PREAD;
        copies = device ? 1 : 0; // device memory has no read operation: its first copy maps it
    }

    /** From the second copy on, a pool that may be mapped is. */
    private void mapIfReused() {
        if (way != Way.PREAD || !mayMap || ++copies < 2) {
            return;
        }
        try {
            mapping = Fds.map(fd, size, false);
            mappingAddress = Native.address(mapping);
            way = sealed ? Way.MAPPED : Way.CHECKED;
        } catch (LinuxException e) {
            if (device) {
                mapFailure = e.getMessage();
            }
            mayMap = false; // no room for a mapping (ENOMEM): pread serves as well
        }
    }

    private static void checkFileSize(int fd, long size) throws IOException {
        long fileSize = Fds.size(fd);
        if (fileSize < size) {
            throw new IOException("the file behind the fd holds " + fileSize + " bytes, fewer than the pool's " + size);
        }
    }

    /** A dma-buf or an anonymous inode (virtwl VFD): memory of a device, of a fixed size, not readable with pread. */
    private static boolean isDeviceMemory(int fd) {
        try {
            long type = Fds.fileSystemType(fd);
            return type == LibC.DMA_BUF_MAGIC || type == LibC.ANON_INODE_FS_MAGIC;
        } catch (LinuxException e) {
            return false;
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
        unmap();
        size = newSize;
        choose(mayMap);
    }

    @Override
    public long mappedBytes() {
        return mayMap ? size : 0; // counted from the start: the mapping comes with the second copy
    }

    @Override
    public boolean copyRows(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride) {
        mapIfReused();
        boolean contiguous = rowBytes == stride && rowBytes == dstStride;
        switch (way) {
            case MAPPED -> {
                if (contiguous) {
                    dst.put(dstOffset, mapping, (int) offset, rowBytes * rows);
                } else {
                    for (int r = 0; r < rows; r++) {
                        dst.put(dstOffset + r * dstStride, mapping, (int) (offset + (long) r * stride), rowBytes);
                    }
                }
                return true;
            }
            case CHECKED -> {
                return contiguous ? readChecked(offset, rowBytes * rows, 1, 0, dst, dstOffset, 0)
                        : readChecked(offset, rowBytes, rows, stride, dst, dstOffset, dstStride);
            }
            default -> {
                if (readRows(offset, stride, rowBytes, rows, dst, dstOffset, dstStride, contiguous)) {
                    return true;
                }
                if (!unreadable || !mayMap || mapping != null) {
                    return false;
                }
                copies = 1; // device memory pread cannot read: map it now, and copy from the mapping
                mapIfReused();
                return mapping != null && copyRows(offset, stride, rowBytes, rows, dst, dstOffset, dstStride);
            }
        }
    }

    /** process_vm_readv from our own mapping: up to IOV_MAX rows per call. */
    private boolean readChecked(long offset, int rowBytes, int rows, int stride, ByteBuffer dst, int dstOffset, int dstStride) {
        ByteBuffer iov = IOVECS.get();
        long local = Native.address(iov);
        long remote = local + (long) LibC.IOV_MAX * LibC.IOVEC_SIZE;
        long dstBase = Native.address(dst) + dstOffset;
        for (int done = 0; done < rows; ) {
            int n = Math.min(LibC.IOV_MAX, rows - done);
            for (int i = 0; i < n; i++) {
                int r = done + i;
                iov.putLong(i * LibC.IOVEC_SIZE, dstBase + (long) r * dstStride).putLong(i * LibC.IOVEC_SIZE + 8, rowBytes);
                int at = (LibC.IOV_MAX + i) * LibC.IOVEC_SIZE;
                iov.putLong(at, mappingAddress + offset + (long) r * stride).putLong(at + 8, rowBytes);
            }
            long expected = (long) n * rowBytes;
            long got = LIBC.process_vm_readv(PID, local, n, remote, n, null);
            if (got != expected) {
                return false; // EFAULT, or a partial read: the file no longer holds these rows
            }
            done += n;
        }
        return true;
    }

    private boolean readRows(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride,
                             boolean contiguous) {
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
            unreadable = e.errno() == LibC.EINVAL; // a file without read (a dma-buf)
            return false; // EIO and the like: as unreadable as a shrunk file
        }
    }

    @Override
    public String method() {
        if (device) {
            return mapFailure == null ? "device memory, mapped" : "device memory, which could not be mapped: " + mapFailure;
        }
        return switch (way) {
            case MAPPED -> "mapped (memfd sealed against shrinking)";
            case CHECKED -> "mapped, read with process_vm_readv";
            default -> "pread";
        };
    }

    private void unmap() throws LinuxException {
        if (mapping != null) {
            ByteBuffer m = mapping;
            mapping = null;
            Fds.unmap(m);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            unmap();
        } catch (LinuxException e) {
            throw new IllegalStateException(e.getMessage(), e); // only if the mapping was corrupted: a bug
        } finally {
            Fds.close(fd);
        }
    }

    @Override
    public String toString() {
        return "LinuxGuestMemory[fd " + fd + ", " + size + " bytes, " + method() + (closed ? ", closed]" : "]");
    }
}
