package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.lang.ref.Reference;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A listening AF_UNIX stream socket: where guest Wayland clients connect to the daemon.
 *
 * <p>It neither creates nor removes the socket file's neighbours: the daemon owns the socket path,
 * its lock file and their cleanup. {@link #close()} from another thread wakes a blocked {@link #accept()}
 * (Linux lets {@code shutdown} act on a listening socket).
 */
public final class UnixServerSocket implements AutoCloseable {
    /** Pending connections the kernel queues before {@code accept} (libwayland uses 128 too). */
    public static final int BACKLOG = 128;

    private static final LibC LIBC = Native.libc();

    private final GuardedFd fd;
    private final Path path;
    /** Passed in by another process that keeps its own copy: closing must not shut it down. */
    private final boolean shared;

    private UnixServerSocket(int fd, Path path, boolean shared) {
        // A shared socket is never shut down on close: that would break it for the other holder too.
        this.fd = shared ? GuardedFd.of(fd, () -> { }, () -> Native.libc().close(fd)) : GuardedFd.ofSocket(fd);
        this.path = path;
        this.shared = shared;
    }

    /** Creates the socket file at {@code path} and listens on it; fails if the file exists. */
    public static UnixServerSocket bind(Path path) throws LinuxException {
        SockAddrUn addr = SockAddrUn.of(path);
        int fd = UnixSocket.newSocket();
        int bound = LIBC.bind(fd, addr.address(), addr.length());
        Reference.reachabilityFence(addr);
        if (bound < 0) {
            int errno = Native.errno();
            Fds.close(fd);
            throw new LinuxException("bind to " + path, errno,
                    errno == LibC.EADDRINUSE ? "a file already exists there; remove it if no server uses it" : null);
        }
        if (LIBC.listen(fd, BACKLOG) < 0) {
            int errno = Native.errno();
            Fds.close(fd);
            throw new LinuxException("listen on " + path, errno);
        }
        return new UnixServerSocket(fd, path, false);
    }

    /**
     * Takes ownership of a socket someone else bound and made listen, such as one passed by systemd
     * (socket activation): checks that {@code fd} is a listening AF_UNIX stream socket on a filesystem
     * path, and makes it close-on-exec so commands Crossway runs do not inherit it.
     *
     * @param origin where the fd came from, for messages (e.g. {@code "fd 3 from systemd (LISTEN_FDS)"})
     * @throws LinuxException naming the origin, what the fd is instead, and the fix
     */
    public static UnixServerSocket adopt(int fd, String origin) throws LinuxException {
        // Scratch: a sockaddr_un, then an int option value, then a socklen_t.
        Pointer scratch = Memory.allocateDirect(Native.runtime(), SCRATCH_SIZE, true);
        int type = intOption(fd, LibC.SO_TYPE, origin, scratch);
        if (type != LibC.SOCK_STREAM) {
            throw new LinuxException(origin, LibC.ENOTSOCK, "it is a socket of type " + type
                    + ", not a stream socket: use ListenStream= in the .socket unit");
        }
        scratch.putInt(SCRATCH_LENGTH, LibC.SOCKADDR_UN_SIZE);
        if (LIBC.getsockname(fd, scratch.address(), scratch.address() + SCRATCH_LENGTH) < 0) {
            throw LinuxException.ofErrno("getsockname(" + origin + ")");
        }
        if (scratch.getShort(0) != LibC.AF_UNIX) {
            throw new LinuxException(origin, LibC.ENOTSOCK, "it is not a Unix socket (address family " + scratch.getShort(0)
                    + "): Wayland clients connect to a path, e.g. ListenStream=%t/wayland-0");
        }
        String address = SockAddrUn.read(scratch, scratch.getInt(SCRATCH_LENGTH));
        if (address.isEmpty() || address.startsWith("@")) {
            throw new LinuxException(origin, LibC.EINVAL, "it has " + (address.isEmpty() ? "no address" : "the abstract address " + address)
                    + ", but Wayland clients connect to a path: use e.g. ListenStream=%t/wayland-0");
        }
        if (intOption(fd, LibC.SO_ACCEPTCONN, origin, scratch) != 1) {
            throw new LinuxException(origin, LibC.EINVAL, "the socket at " + address + " is not listening: pass a listening socket (Accept=no)");
        }
        if (LIBC.fcntl(fd, LibC.F_SETFD, LibC.FD_CLOEXEC) < 0) {
            throw LinuxException.ofErrno("fcntl(" + origin + ", F_SETFD, FD_CLOEXEC)");
        }
        return new UnixServerSocket(fd, Path.of(address), true);
    }

    private static final int SCRATCH_VALUE = LibC.SOCKADDR_UN_SIZE + 2; // 4-byte aligned
    private static final int SCRATCH_LENGTH = SCRATCH_VALUE + 4;
    private static final int SCRATCH_SIZE = SCRATCH_LENGTH + 4;

    /** {@code getsockopt(fd, SOL_SOCKET, option)} for an int-valued option. */
    private static int intOption(int fd, int option, String origin, Pointer scratch) throws LinuxException {
        scratch.putInt(SCRATCH_LENGTH, 4);
        if (LIBC.getsockopt(fd, LibC.SOL_SOCKET, option, scratch.address() + SCRATCH_VALUE, scratch.address() + SCRATCH_LENGTH) < 0) {
            int errno = Native.errno();
            throw new LinuxException("getsockopt(" + origin + ")", errno,
                    errno == LibC.ENOTSOCK ? "it is not a socket" : errno == LibC.EBADF ? "no such fd is open" : null);
        }
        return scratch.getInt(SCRATCH_VALUE);
    }

    /**
     * Blocks until a client connects ({@code accept4} with SOCK_CLOEXEC).
     *
     * @throws ClosedChannelException if this socket is closed (an {@link AsynchronousCloseException}
     *     when closed while waiting)
     */
    public UnixSocket accept() throws LinuxException, ClosedChannelException {
        if (!fd.acquire()) {
            throw new ClosedChannelException();
        }
        try {
            while (true) {
                int client = LIBC.accept4(fd.fd(), 0L, 0L, LibC.SOCK_CLOEXEC);
                if (client >= 0 && fd.isClosed()) {
                    Fds.close(client); // the connection close() made to wake this call
                    throw new AsynchronousCloseException();
                }
                if (client >= 0) {
                    return UnixSocket.adopt(client);
                }
                int errno = Native.errno();
                if (fd.isClosed()) {
                    throw new AsynchronousCloseException();
                }
                if (errno == LibC.EINTR || errno == LibC.ECONNABORTED) {
                    continue;
                }
                throw new LinuxException("accept4 on " + path, errno,
                        errno == LibC.EMFILE ? "the daemon reached its fd limit; raise ulimit -n" : null);
            }
        } finally {
            fd.release();
        }
    }

    /** The path this socket was bound to. */
    public Path path() {
        return path;
    }

    public int fd() {
        return fd.fd();
    }

    /**
     * Idempotent; wakes a thread blocked in {@link #accept()}. Leaves the socket file in place. A socket
     * from {@link #adopt} stays usable for the process that passed it: the blocked accept is woken by a
     * connection instead of a {@code shutdown}.
     */
    @Override
    public void close() {
        if (fd.close() && shared) {
            try {
                UnixSocket.connect(path).close();
            } catch (LinuxException e) {
                // Nothing was blocked in accept, or the path is gone; either way nobody waits.
            }
        }
    }

    @Override
    public String toString() {
        return "UnixServerSocket[" + path + (fd.isClosed() ? ", closed]" : "]");
    }
}
