package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.FdQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Helpers for raw file descriptors: duplicate, close, pipes, memfds, mappings and lock files.
 *
 * <p>Every fd made here is close-on-exec. Ownership is the caller's: whatever a method returns, the
 * caller closes (fds with {@link #close(int)}, mappings with {@link #unmap(ByteBuffer)}).
 */
public final class Fds {

    /** Closes fds for {@link FdQueue#closeAll}; errors are ignored, as nothing can be done about them. */
    public static final FdQueue.FdCloser CLOSER = Fds::close;

    private static final LibC LIBC = Native.libc();

    private Fds() {
    }

    /**
     * Closes {@code fd}, never retrying (on Linux the fd is gone even when close reports EINTR).
     *
     * @return 0, or the errno (e.g. EBADF when {@code fd} was not open)
     */
    public static int close(int fd) {
        return LIBC.close(fd) == 0 ? 0 : Native.errno();
    }

    /** A new close-on-exec fd for the same open file ({@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}). */
    public static int dup(int fd) throws LinuxException {
        int copy = LIBC.fcntl(fd, LibC.F_DUPFD_CLOEXEC, 0);
        if (copy < 0) {
            throw LinuxException.ofErrno("fcntl(" + fd + ", F_DUPFD_CLOEXEC)");
        }
        return copy;
    }

    /** True when {@code fd} is open in this process. */
    public static boolean isOpen(int fd) {
        return LIBC.fcntl(fd, LibC.F_GETFD, 0) >= 0;
    }

    /**
     * True when {@code fd} is still open on the file {@code was} describes. Another thread may reuse
     * a closed fd's number at once, so "is it closed?" needs the file's identity, not just the number.
     */
    public static boolean isOpenOn(int fd, Stat was) {
        if (!isOpen(fd)) {
            return false;
        }
        try {
            Stat now = stat(fd);
            return now.dev() == was.dev() && now.ino() == was.ino();
        } catch (LinuxException closedMeanwhile) {
            return false;
        }
    }

    /** A close-on-exec pipe: {@code [0]} is the read end, {@code [1]} the write end. */
    public static int[] pipe() throws LinuxException {
        int[] ends = new int[2];
        if (LIBC.pipe2(ends, LibC.O_CLOEXEC) < 0) {
            throw LinuxException.ofErrno("pipe2");
        }
        return ends;
    }

    /**
     * Anonymous shared memory of {@code size} bytes ({@code memfd_create} with MFD_CLOEXEC and
     * MFD_ALLOW_SEALING, then {@code ftruncate}), zero-filled. {@code name} shows in
     * {@code /proc/PID/fd} as {@code /memfd:NAME}.
     */
    public static int memfd(String name, long size) throws LinuxException {
        int fd = LIBC.memfd_create(Native.cString(name), LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw LinuxException.ofErrno("memfd_create(" + name + ")");
        }
        if (LIBC.ftruncate(fd, size) < 0) {
            LinuxException e = LinuxException.ofErrno("ftruncate(memfd " + name + ", " + size + ")");
            close(fd);
            throw e;
        }
        return fd;
    }

    /**
     * Maps the first {@code size} bytes of {@code fd} shared ({@code MAP_SHARED}), read-only or
     * read-write, and returns a direct buffer over the mapping (position 0, limit = capacity = size).
     *
     * <p>The mapping lives until {@link #unmap(ByteBuffer)}, never released by the garbage collector,
     * so host memory is freed at a known time. Touching the buffer after unmapping crashes the JVM:
     * the owner must make sure nobody does. Closing {@code fd} does not end the mapping.
     *
     * @throws IllegalArgumentException if {@code size} is not in 1..Integer.MAX_VALUE (one ByteBuffer's reach)
     */
    public static ByteBuffer map(int fd, long size, boolean writable) throws LinuxException {
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("mapping size must be 1.." + Integer.MAX_VALUE + " bytes, was " + size);
        }
        int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
        long address = LIBC.mmap(null, size, prot, LibC.MAP_SHARED, fd, 0L);
        if (address == LibC.MAP_FAILED) {
            throw LinuxException.ofErrno("mmap(fd " + fd + ", " + size + " bytes, " + (writable ? "read-write" : "read-only") + ")");
        }
        ByteBuffer view = Native.newDirectByteBuffer(address, (int) size);
        return writable ? view : view.asReadOnlyBuffer();
    }

    /**
     * Anonymous memory of {@code size} bytes ({@code MAP_PRIVATE | MAP_ANONYMOUS}), zero-filled and taking
     * RAM only where touched, as a direct buffer; freed by {@link #unmap} at once, never by the collector.
     */
    public static ByteBuffer mapAnonymous(int size) throws LinuxException {
        if (size < 1) {
            throw new IllegalArgumentException("mapping size must be at least 1 byte, was " + size);
        }
        long address = LIBC.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0L);
        if (address == LibC.MAP_FAILED) {
            throw LinuxException.ofErrno("mmap(anonymous, " + size + " bytes)");
        }
        return Native.newDirectByteBuffer(address, size);
    }

    /**
     * Maps the first {@code size} bytes of {@code fd} read-only and private ({@code MAP_PRIVATE}), as a
     * Wayland client must map a keymap from {@code wl_keyboard} version 7 on. Unmap with {@link #unmap}.
     */
    public static ByteBuffer mapPrivate(int fd, long size) throws LinuxException {
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("mapping size must be 1.." + Integer.MAX_VALUE + " bytes, was " + size);
        }
        long address = LIBC.mmap(null, size, LibC.PROT_READ, LibC.MAP_PRIVATE, fd, 0L);
        if (address == LibC.MAP_FAILED) {
            throw LinuxException.ofErrno("mmap(fd " + fd + ", " + size + " bytes, read-only, MAP_PRIVATE)");
        }
        return Native.newDirectByteBuffer(address, (int) size).asReadOnlyBuffer();
    }

    /** The seals of a memfd ({@code fcntl(F_GET_SEALS)}): F_SEAL_SEAL 1, SHRINK 2, GROW 4, WRITE 8. */
    public static int seals(int fd) throws LinuxException {
        int seals = LIBC.fcntl(fd, LibC.F_GET_SEALS, 0);
        if (seals < 0) {
            throw LinuxException.ofErrno("fcntl(" + fd + ", F_GET_SEALS)");
        }
        return seals;
    }

    /**
     * Unmaps a buffer returned by {@link #map}: its address and capacity must be exactly the mapping's
     * (pass the buffer {@code map} returned or a {@code duplicate()} of it, never a slice).
     */
    public static void unmap(ByteBuffer mapping) throws LinuxException {
        if (LIBC.munmap(Native.address(mapping), mapping.capacity()) < 0) {
            throw LinuxException.ofErrno("munmap");
        }
    }

    /** The type of the file system {@code fd} is on ({@code fstatfs}'s {@code f_type}, e.g. {@link LibC#TMPFS_MAGIC}). */
    public static long fileSystemType(int fd) throws LinuxException {
        Pointer statfs = Memory.allocateDirect(Native.runtime(), LibC.STATFS_SIZE);
        if (LIBC.fstatfs(fd, statfs.address()) < 0) {
            throw LinuxException.ofErrno("fstatfs(" + fd + ")");
        }
        return statfs.getLong(0);
    }

    /**
     * Reads up to {@code count} bytes at file offset {@code offset} into native memory at
     * {@code address} ({@code pread}), retrying on EINTR and after short reads.
     *
     * @return bytes read: {@code count}, or fewer when the file ends first
     */
    public static long pread(int fd, long address, long count, long offset) throws LinuxException {
        long done = 0;
        while (done < count) {
            long n = LIBC.pread(fd, address + done, count - done, offset + done);
            if (n < 0) {
                if (Native.errno() == LibC.EINTR) {
                    continue;
                }
                throw LinuxException.ofErrno("pread(" + fd + ", " + (count - done) + " bytes at " + (offset + done) + ")");
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Size in bytes of the file behind {@code fd} ({@code fstat}'s {@code st_size}). */
    public static long size(int fd) throws LinuxException {
        Pointer stat = Memory.allocateDirect(Native.runtime(), LibC.STAT_SIZE);
        if (LIBC.fstat(fd, stat.address()) < 0) {
            throw LinuxException.ofErrno("fstat(" + fd + ")");
        }
        return stat.getLong(LibC.STAT_ST_SIZE);
    }

    /**
     * What {@code fstat} says about an fd: enough to tell a pipe from a file or a socket, and to
     * recognise one open file behind several fds ({@code dev} and {@code ino}).
     *
     * @param dev  {@code st_dev}
     * @param ino  {@code st_ino}
     * @param mode {@code st_mode}: file type ({@link LibC#S_IFMT} bits) and permissions
     * @param size {@code st_size}
     */
    public record Stat(long dev, long ino, int mode, long size) {
        public boolean isFifo() {
            return (mode & LibC.S_IFMT) == LibC.S_IFIFO;
        }

        public boolean isRegularFile() {
            return (mode & LibC.S_IFMT) == LibC.S_IFREG;
        }

        public boolean isSocket() {
            return (mode & LibC.S_IFMT) == LibC.S_IFSOCK;
        }

        /** The file type in words, for error messages: "pipe", "regular file or memfd", "socket", ... */
        public String kind() {
            switch (mode & LibC.S_IFMT) {
                case LibC.S_IFIFO: return "pipe";
                case LibC.S_IFREG: return "regular file or memfd";
                case LibC.S_IFSOCK: return "socket";
                case LibC.S_IFCHR: return "character device";
                case LibC.S_IFBLK: return "block device";
                case LibC.S_IFDIR: return "directory";
                case 0: return "anonymous inode (eventfd, dma-buf, sync_file, ...)";
                default: return "file of type 0" + Integer.toOctalString(mode & LibC.S_IFMT);
            }
        }
    }

    /** {@code fstat(fd)}. */
    public static Stat stat(int fd) throws LinuxException {
        Pointer stat = Memory.allocateDirect(Native.runtime(), LibC.STAT_SIZE);
        if (LIBC.fstat(fd, stat.address()) < 0) {
            throw LinuxException.ofErrno("fstat(" + fd + ")");
        }
        return new Stat(stat.getLong(LibC.STAT_ST_DEV), stat.getLong(LibC.STAT_ST_INO), stat.getInt(LibC.STAT_ST_MODE),
                stat.getLong(LibC.STAT_ST_SIZE));
    }

    /** True when {@code fd} is a pipe or FIFO ({@code S_ISFIFO}). */
    public static boolean isFifo(int fd) throws LinuxException {
        return stat(fd).isFifo();
    }

    /** The file status flags ({@code fcntl(fd, F_GETFL)}): access mode ({@link LibC#O_ACCMODE} bits), O_NONBLOCK, ... */
    public static int statusFlags(int fd) throws LinuxException {
        int flags = LIBC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0) {
            throw LinuxException.ofErrno("fcntl(" + fd + ", F_GETFL)");
        }
        return flags;
    }

    /** Sets O_NONBLOCK on the open file behind {@code fd} (shared with every duplicate of it). */
    public static void setNonBlocking(int fd) throws LinuxException {
        int flags = statusFlags(fd);
        if ((flags & LibC.O_NONBLOCK) == 0 && LIBC.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) {
            throw LinuxException.ofErrno("fcntl(" + fd + ", F_SETFL, O_NONBLOCK)");
        }
    }

    /**
     * One read into {@code dst} (a direct buffer) from its position, retrying on EINTR, for a
     * non-blocking fd.
     *
     * @return bytes read; 0 when nothing is there yet (EAGAIN) or {@code dst} is full; -1 at end of file
     */
    public static int tryRead(int fd, ByteBuffer dst) throws LinuxException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        long base = Native.address(dst) + dst.position();
        long n;
        do {
            n = LIBC.read(fd, base, dst.remaining());
        } while (n < 0 && Native.errno() == LibC.EINTR);
        if (n < 0) {
            int errno = Native.errno();
            if (errno == LibC.EAGAIN) {
                return 0;
            }
            throw new LinuxException("read(" + fd + ")", errno);
        }
        if (n == 0) {
            return -1;
        }
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    /**
     * Writes what a non-blocking {@code fd} takes now from {@code src} (a direct buffer), retrying on
     * EINTR and advancing {@code src}.
     *
     * @return bytes written; 0 when the fd is full (EAGAIN)
     * @throws LinuxException e.g. EPIPE when the reader is gone
     */
    public static int tryWrite(int fd, ByteBuffer src) throws LinuxException {
        long base = Native.address(src);
        int written = 0;
        while (src.hasRemaining()) {
            long n = LIBC.write(fd, base + src.position(), src.remaining());
            if (n < 0) {
                int errno = Native.errno();
                if (errno == LibC.EINTR) {
                    continue;
                }
                if (errno == LibC.EAGAIN) {
                    return written;
                }
                throw new LinuxException("write(" + fd + ")", errno);
            }
            src.position(src.position() + (int) n);
            written += (int) n;
        }
        return written;
    }

    /**
     * Reads once into {@code dst} (a direct buffer) from its position, retrying on EINTR.
     *
     * @return bytes read, or -1 at end of file (0 only when {@code dst} has no room)
     */
    public static int read(int fd, ByteBuffer dst) throws LinuxException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        long base = Native.address(dst) + dst.position();
        long n;
        do {
            n = LIBC.read(fd, base, dst.remaining());
        } while (n < 0 && Native.errno() == LibC.EINTR);
        if (n < 0) {
            throw LinuxException.ofErrno("read(" + fd + ")");
        }
        if (n == 0) {
            return -1;
        }
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    /** Writes all remaining bytes of {@code src} (a direct buffer), blocking, retrying on EINTR. */
    public static void write(int fd, ByteBuffer src) throws LinuxException {
        long base = Native.address(src);
        while (src.hasRemaining()) {
            long n = LIBC.write(fd, base + src.position(), src.remaining());
            if (n < 0) {
                if (Native.errno() == LibC.EINTR) {
                    continue;
                }
                throw LinuxException.ofErrno("write(" + fd + ")");
            }
            src.position(src.position() + (int) n);
        }
    }

    /**
     * Opens (creating, mode 0660) a lock file as libwayland does for {@code wayland-N.lock}; lock it
     * with {@link #tryLock(int)}. The lock lasts until the fd is closed.
     *
     * <p>A symbolic link at {@code path} is refused ({@code O_NOFOLLOW}), and so is anything but a
     * regular file: in a directory others can write to, a planted link would otherwise make Crossway
     * create or lock a file of the attacker's choosing.
     */
    public static int openLock(Path path) throws LinuxException {
        int fd = LIBC.open(Native.cString(path.toString()), LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC | LibC.O_NOFOLLOW, 0660);
        if (fd < 0) {
            int errno = Native.errno();
            throw new LinuxException("open lock file " + path, errno,
                    errno == LibC.ELOOP ? "it is a symbolic link, which Crossway does not follow; remove it" : null);
        }
        Stat stat;
        try {
            stat = stat(fd);
        } catch (LinuxException e) {
            close(fd);
            throw e;
        }
        if (!stat.isRegularFile()) {
            close(fd);
            throw new LinuxException("open lock file " + path, LibC.EINVAL, "it is a " + stat.kind() + ", not a regular file; remove it");
        }
        return fd;
    }

    /**
     * Takes an exclusive {@code flock} without waiting.
     *
     * @return false when another open file description holds the lock (another process, or another
     *     {@link #openLock} of the same file in this one)
     */
    public static boolean tryLock(int fd) throws LinuxException {
        if (LIBC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) == 0) {
            return true;
        }
        int errno = Native.errno();
        if (errno == LibC.EWOULDBLOCK) {
            return false;
        }
        throw new LinuxException("flock(" + fd + ", LOCK_EX | LOCK_NB)", errno);
    }

    /**
     * Raises the process's soft open-file limit to its hard limit (the JVM usually has, unless started
     * with {@code -XX:-MaxFDLimit}) and returns the soft limit then in force; {@link Integer#MAX_VALUE}
     * when unlimited.
     */
    public static int raiseOpenFileLimit() throws LinuxException {
        jnr.ffi.Pointer rlimit = jnr.ffi.Memory.allocateDirect(Native.runtime(), 16, true);
        if (LIBC.getrlimit(LibC.RLIMIT_NOFILE, rlimit.address()) < 0) {
            throw LinuxException.ofErrno("getrlimit(RLIMIT_NOFILE)");
        }
        long soft = rlimit.getLong(0);
        long hard = rlimit.getLong(8);
        if (soft != hard) {
            rlimit.putLong(0, hard);
            if (LIBC.setrlimit(LibC.RLIMIT_NOFILE, rlimit.address()) == 0) {
                soft = hard;
            }
        }
        return soft == LibC.RLIM_INFINITY || soft < 0 || soft > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) soft;
    }

    /**
     * Number of fds open in this process, from {@code /proc/self/fd}, not counting the one used to
     * list it. For leak checks in tests and {@code doctor}.
     */
    public static int countOpenFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
