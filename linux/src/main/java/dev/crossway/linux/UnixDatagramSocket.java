package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.lang.ref.Reference;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * One-shot datagrams to an AF_UNIX datagram socket, such as systemd's {@code $NOTIFY_SOCKET}. Not for
 * hot paths: each send opens and closes a socket.
 */
public final class UnixDatagramSocket {
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

    private UnixDatagramSocket() {
    }

    /**
     * Sends {@code message} as one datagram to {@code address}: a path, or {@code @name} for an abstract
     * address ({@code sendmsg} with {@code msg_name} set, from a fresh unbound SOCK_DGRAM socket).
     */
    public static void send(String address, byte[] message) throws LinuxException {
        SockAddrUn to = SockAddrUn.of(address);
        int fd = LIBC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw LinuxException.ofErrno("socket(AF_UNIX, SOCK_DGRAM)");
        }
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
}
