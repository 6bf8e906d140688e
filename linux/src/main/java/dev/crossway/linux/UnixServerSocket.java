package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
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

    private UnixServerSocket(int fd, Path path) {
        this.fd = GuardedFd.ofSocket(fd);
        this.path = path;
    }

    /** Creates the socket file at {@code path} and listens on it; fails if the file exists. */
    public static UnixServerSocket bind(Path path) throws LinuxException {
        Pointer addr = SockAddrUn.of(path);
        int fd = UnixSocket.newSocket();
        if (LIBC.bind(fd, addr.address(), LibC.SOCKADDR_UN_SIZE) < 0) {
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
        return new UnixServerSocket(fd, path);
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

    /** Idempotent; wakes a thread blocked in {@link #accept()}. Leaves the socket file in place. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "UnixServerSocket[" + path + (fd.isClosed() ? ", closed]" : "]");
    }
}
