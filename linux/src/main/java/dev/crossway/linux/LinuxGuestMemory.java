package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.proxy.GuestMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

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
 *       {@code process_vm_readv} on this process copies the damaged rows of all a commit's rectangles out of
 *       the mapping in one system call, and where the file shrank it returns an error (EFAULT) instead of
 *       raising SIGBUS.
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
    private static final ThreadLocal<ReadBatch> READ_BATCH = ThreadLocal.withInitial(ReadBatch::new);

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
        if (way == Way.CHECKED) {
            ReadBatch batch = READ_BATCH.get().start(mappingAddress, dst);
            return batch.addRows(offset, stride, rowBytes, rows, dstOffset, dstStride) && batch.finish();
        }
        return copyBlock(offset, stride, rowBytes, rows, dst, dstOffset, dstStride);
    }

    /** As the interface's, but a pool read with process_vm_readv is read in one call for all the rectangles. */
    @Override
    public boolean copyRects(long offset, int stride, int bpp, Rectangles rects, ByteBuffer dst, int dstStride) {
        mapIfReused();
        ReadBatch batch = way == Way.CHECKED ? READ_BATCH.get().start(mappingAddress, dst) : null;
        for (int i = 0; i < rects.size(); i++) {
            int x = rects.x(i) * bpp;
            int y = rects.y(i);
            long at = offset + (long) y * stride + x;
            int rowBytes = rects.width(i) * bpp;
            int dstOffset = y * dstStride + x;
            boolean copied = batch != null ? batch.addRows(at, stride, rowBytes, rects.height(i), dstOffset, dstStride)
                    : copyBlock(at, stride, rowBytes, rects.height(i), dst, dstOffset, dstStride);
            if (!copied) {
                return false;
            }
        }
        return batch == null || batch.finish();
    }

    /** One block of rows, the pool already mapped if it is to be; for a pool read with pread, maps device memory pread cannot read. */
    private boolean copyBlock(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride) {
        if (way == Way.MAPPED) {
            // Whole rows are one block, one put. Narrower rows go through glibc's memcpy: under C1 a put between
            // direct buffers is a native call of its own that copies 8 bytes at a time (docs/BENCHMARKS.md).
            if (rowBytes == stride && rowBytes == dstStride) {
                dst.put(dstOffset, mapping, (int) offset, rowBytes * rows);
            } else if (rows > 0) {
                Objects.checkFromIndexSize(offset, (long) (rows - 1) * stride + rowBytes, mapping.capacity());
                Objects.checkFromIndexSize(dstOffset, (long) (rows - 1) * dstStride + rowBytes, dst.capacity());
                long from = mappingAddress + offset;
                long to = Native.address(dst) + dstOffset;
                for (int r = 0; r < rows; r++) {
                    LIBC.memcpy(to + (long) r * dstStride, from + (long) r * stride, rowBytes);
                }
            }
            return true;
        }
        if (readRows(offset, stride, rowBytes, rows, dst, dstOffset, dstStride)) {
            return true;
        }
        if (!unreadable || !mayMap || mapping != null) {
            return false;
        }
        copies = 1; // device memory pread cannot read: map it now, and copy from the mapping
        mapIfReused();
        return mapping != null && copyBlock(offset, stride, rowBytes, rows, dst, dstOffset, dstStride);
    }

    /**
     * Rows read with process_vm_readv from this process's own mapping, gathered into as few calls as
     * {@code IOV_MAX} allows: the kernel's cost per call (finding the process, its memory) is paid once
     * for a commit's rectangles, not once each. One per relay thread, so nothing is allocated per copy.
     */
    private static final class ReadBatch {
        /** iovecs: the local ones (where rows go), then the remote ones (where they come from). */
        private final ByteBuffer iovecs = ByteBuffer.allocateDirect(2 * LibC.IOV_MAX * LibC.IOVEC_SIZE).order(ByteOrder.nativeOrder());
        private final long local = Native.address(iovecs);
        private final long remote = local + (long) LibC.IOV_MAX * LibC.IOVEC_SIZE;
        private long source;
        private long destination;
        private int count;
        private long bytes;

        ReadBatch start(long sourceAddress, ByteBuffer dst) {
            source = sourceAddress;
            destination = Native.address(dst);
            count = 0;
            bytes = 0;
            return this;
        }

        /** Adds rows (contiguous ones as one); false when a call made to free room failed. */
        boolean addRows(long offset, int stride, int rowBytes, int rows, int dstOffset, int dstStride) {
            if (rowBytes == stride && rowBytes == dstStride) {
                return add(offset, dstOffset, (long) rowBytes * rows);
            }
            for (int r = 0; r < rows; r++) {
                if (!add(offset + (long) r * stride, dstOffset + (long) r * dstStride, rowBytes)) {
                    return false;
                }
            }
            return true;
        }

        private boolean add(long from, long to, long length) {
            if (count == LibC.IOV_MAX && !finish()) {
                return false;
            }
            iovecs.putLong(count * LibC.IOVEC_SIZE, destination + to).putLong(count * LibC.IOVEC_SIZE + 8, length);
            int at = (LibC.IOV_MAX + count) * LibC.IOVEC_SIZE;
            iovecs.putLong(at, source + from).putLong(at + 8, length);
            count++;
            bytes += length;
            return true;
        }

        /** Reads what was added; false on EFAULT or a short read: the file no longer holds those rows. */
        boolean finish() {
            if (count == 0) {
                return true;
            }
            long got = LIBC.process_vm_readv(PID, local, count, remote, count, null);
            boolean whole = got == bytes;
            count = 0;
            bytes = 0;
            return whole;
        }
    }

    private boolean readRows(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride) {
        long base = Native.address(dst) + dstOffset;
        try {
            if (rowBytes == stride && rowBytes == dstStride) {
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
