package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * AF_UNIX datagrams, such as the messages to systemd's {@code $NOTIFY_SOCKET}: {@link #send} one to an
 * address, or {@link #bind} a socket that receives them (what a service manager does, and what tests of
 * the sender need). Not for hot paths: each send opens and closes a socket.
 *
 * <p>An address is a path, or {@code @name} for an abstract one.
 */
public final class UnixDatagramSocket implements AutoCloseable {
    private static final LibC LIBC = Native.libc();

    /*
     * struct msghdr (56 bytes, x86_64, <sys/socket.h>) with the destination in msg_name, then one struct
     * iovec (16 bytes):
     *   void *msg_name @0; socklen_t msg_namelen @8; struct iovec *msg_iov @16; size_t msg_iovlen @24;
     *   void *msg_control @32; size_t msg_controllen @40; int msg_flags @48
     *   struct iovec { void *iov_base @0; size_t iov_len @8; }
     */
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int IOV = 56;
    private static final int PAYLOAD = IOV + 16;

    private final int fd;
    private final String address;

    private UnixDatagramSocket(int fd, String address) {
        this.fd = fd;
        this.address = address;
    }

    private static int newSocket() throws LinuxException {
        int fd = LIBC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw LinuxException.ofErrno("socket(AF_UNIX, SOCK_DGRAM)");
        }
        return fd;
    }

    /**
     * Sends {@code message} as one datagram to {@code address} ({@code sendmsg} with {@code msg_name} set,
     * from a fresh unbound socket).
     */
    public static void send(String address, byte[] message) throws LinuxException {
        SockAddrUn to = SockAddrUn.of(address);
        int fd = newSocket();
        try {
            Pointer msg = Memory.allocateDirect(Native.runtime(), PAYLOAD + Math.max(1, message.length), true);
            msg.put(PAYLOAD, message, 0, message.length);
            msg.putLong(MSG_NAME, to.address());
            msg.putInt(MSG_NAMELEN, to.length());
            msg.putLong(MSG_IOV, msg.address() + IOV);
            msg.putLong(MSG_IOVLEN, 1);
            msg.putLong(IOV, msg.address() + PAYLOAD);
            msg.putLong(IOV + 8, message.length);
            long sent;
            do {
                sent = LIBC.sendmsg(fd, msg.address(), LibC.MSG_NOSIGNAL);
            } while (sent < 0 && Native.errno() == LibC.EINTR);
            Reference.reachabilityFence(msg);
            Reference.reachabilityFence(to);
            if (sent < 0) {
                int errno = Native.errno();
                throw new LinuxException("sendmsg to " + address, errno,
                        errno == LibC.ENOENT || errno == LibC.ECONNREFUSED ? "nobody listens there any more" : null);
            }
        } finally {
            Fds.close(fd);
        }
    }

    /** A datagram socket bound to {@code address}, to receive what others {@link #send}. */
    public static UnixDatagramSocket bind(String address) throws LinuxException {
        SockAddrUn at = SockAddrUn.of(address);
        int fd = newSocket();
        int bound = LIBC.bind(fd, at.address(), at.length());
        Reference.reachabilityFence(at);
        if (bound < 0) {
            LinuxException e = LinuxException.ofErrno("bind to " + address);
            Fds.close(fd);
            throw e;
        }
        return new UnixDatagramSocket(fd, address);
    }

    /**
     * The next datagram as UTF-8 text, waiting at most {@code timeoutMillis}; null when none came.
     * Datagrams longer than 64 KiB are cut.
     */
    public String receive(int timeoutMillis) throws LinuxException {
        // struct pollfd { int fd; short events; short revents; }
        Pointer poll = Memory.allocateDirect(Native.runtime(), 8, true);
        poll.putInt(0, fd);
        poll.putShort(4, LibC.POLLIN);
        int ready;
        do {
            ready = LIBC.poll(poll.address(), 1, timeoutMillis);
        } while (ready < 0 && Native.errno() == LibC.EINTR);
        Reference.reachabilityFence(poll);
        if (ready < 0) {
            throw LinuxException.ofErrno("poll on " + address);
        }
        if (ready == 0) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        Fds.read(fd, buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    public String address() {
        return address;
    }

    @Override
    public void close() {
        Fds.close(fd);
    }

    @Override
    public String toString() {
        return "UnixDatagramSocket[" + address + "]";
    }
}
