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

    /** Native memory of a send: a struct msghdr with the destination in msg_name, one iovec, the payload. */
    private static final int IOV = MsgHdr.SIZE;
    private static final int PAYLOAD = IOV + MsgHdr.IOVEC_SIZE;

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
            msg.putLong(MsgHdr.NAME, to.address());
            msg.putInt(MsgHdr.NAMELEN, to.length());
            msg.putLong(MsgHdr.IOV, msg.address() + IOV);
            msg.putLong(MsgHdr.IOVLEN, 1);
            msg.putLong(IOV + MsgHdr.IOV_BASE, msg.address() + PAYLOAD);
            msg.putLong(IOV + MsgHdr.IOV_LEN, message.length);
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
