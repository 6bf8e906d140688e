package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.Connection;
import dev.crossway.spi.FdQueue;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A connected AF_UNIX stream socket that carries fds beside the bytes (SCM_RIGHTS): the socket a
 * Wayland client and compositor talk over.
 *
 * <p>No garbage per call: each direction owns a native {@code msghdr}, {@code iovec} and control buffer,
 * allocated once and filled in place, because send and receive may run on two threads at once.
 * jnr-posix's {@code sendmsg}/{@code recvmsg} are not used because its {@code MsgHdr} allocates native
 * memory and objects on every call ({@code setIov}, {@code getControls}). Buffers passed in should be
 * direct; a heap buffer works but goes through a copy.
 *
 * <p>Closing: see {@link GuardedFd}; {@link #close()} from any thread makes a blocked
 * {@link #receive} return -1.
 */
public final class UnixSocket implements Connection {
    private static final LibC LIBC = Native.libc();

    /*
     * Native memory of one direction: a struct msghdr at MSG, one struct iovec at IOV (layouts in
     * MsgHdr), then the control buffer at CONTROL:
     *
     * struct cmsghdr {                 // then the fds, CMSG_DATA = @16
     *     size_t cmsg_len;             // @0, CMSG_LEN(payload)
     *     int cmsg_level;              // @8, SOL_SOCKET
     *     int cmsg_type;               // @12, SCM_RIGHTS
     * };
     */
    private static final int MSG = 0;
    private static final int MSG_IOV = MSG + MsgHdr.IOV;
    private static final int MSG_IOVLEN = MSG + MsgHdr.IOVLEN;
    private static final int MSG_CONTROL = MSG + MsgHdr.CONTROL;
    private static final int MSG_CONTROLLEN = MSG + MsgHdr.CONTROLLEN;
    private static final int MSG_FLAGS = MSG + MsgHdr.FLAGS;
    private static final int IOV = MSG + MsgHdr.SIZE;
    private static final int IOV_BASE = IOV + MsgHdr.IOV_BASE;
    private static final int IOV_LEN = IOV + MsgHdr.IOV_LEN;
    private static final int CONTROL = IOV + MsgHdr.IOVEC_SIZE;
    private static final int CMSGHDR_SIZE = 16;
    private static final int CONTROL_SIZE = cmsgSpace(4 * LibC.SCM_MAX_FD);
    private static final int BOUNCE_SIZE = 64 * 1024;

    private final GuardedFd fd;
    private final NativeMsg out = new NativeMsg();
    private final NativeMsg in = new NativeMsg();

    private UnixSocket(int fd) {
        this.fd = GuardedFd.ofSocket(fd);
    }

    /** Takes ownership of a connected AF_UNIX stream socket fd. */
    public static UnixSocket adopt(int fd) {
        return new UnixSocket(fd);
    }

    /** Connects to the socket at {@code path}. */
    public static UnixSocket connect(Path path) throws LinuxException {
        SockAddrUn addr = SockAddrUn.of(path);
        int fd = newSocket();
        int result = LIBC.connect(fd, addr.address(), addr.length());
        Reference.reachabilityFence(addr);
        if (result < 0) {
            int errno = Native.errno();
            Fds.close(fd);
            throw new LinuxException("connect to " + path, errno, connectHint(errno));
        }
        return new UnixSocket(fd);
    }

    private static String connectHint(int errno) {
        switch (errno) {
            case LibC.ENOENT:
            case LibC.ECONNREFUSED:
                return "is the compositor running? check WAYLAND_DISPLAY / --host-display";
            case LibC.EACCES:
                return "run as the user that owns the socket, or fix its permissions";
            default:
                return null;
        }
    }

    /** Two connected sockets ({@code socketpair}), for tests and in-process links. */
    public static UnixSocket[] pair() throws LinuxException {
        int[] sv = new int[2];
        if (LIBC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, sv) < 0) {
            throw LinuxException.ofErrno("socketpair");
        }
        return new UnixSocket[] {new UnixSocket(sv[0]), new UnixSocket(sv[1])};
    }

    static int newSocket() throws LinuxException {
        int fd = LIBC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw LinuxException.ofErrno("socket(AF_UNIX, SOCK_STREAM)");
        }
        return fd;
    }

    /** The socket's fd, for logs and {@code poll}; still owned by this socket. */
    public int fd() {
        return fd.fd();
    }

    /**
     * {@inheritDoc}
     *
     * <p>All fds go in one SCM_RIGHTS message on the first {@code sendmsg}, so at most
     * {@link LibC#SCM_MAX_FD} per call, and fds need at least one byte to travel with.
     */
    @Override
    public void send(ByteBuffer src, FdQueue fds) throws IOException {
        if (!fd.acquire()) {
            fds.closeAll(Fds.CLOSER);
            throw new ClosedChannelException();
        }
        try {
            int nfds = fds.size();
            if (nfds > LibC.SCM_MAX_FD) {
                throw new IOException("cannot send " + nfds + " fds at once: one sendmsg carries at most SCM_MAX_FD ("
                        + LibC.SCM_MAX_FD + ")");
            }
            if (nfds > 0 && !src.hasRemaining()) {
                throw new IllegalArgumentException("fds must travel with at least one byte; " + nfds + " fds and no bytes given");
            }
            Pointer m = out.memory;
            if (nfds > 0) {
                m.putLong(CONTROL, cmsgLen(4 * nfds));
                m.putInt(CONTROL + 8, LibC.SOL_SOCKET);
                m.putInt(CONTROL + 12, LibC.SCM_RIGHTS);
                for (int i = 0; i < nfds; i++) {
                    m.putInt(CONTROL + CMSGHDR_SIZE + 4L * i, fds.peek(i));
                }
                m.putLong(MSG_CONTROL, out.address + CONTROL);
                m.putLong(MSG_CONTROLLEN, cmsgSpace(4 * nfds));
            } else {
                m.putLong(MSG_CONTROL, 0);
                m.putLong(MSG_CONTROLLEN, 0);
            }
            boolean direct = src.isDirect();
            while (src.hasRemaining()) {
                int position = src.position();
                int length = src.remaining();
                long base;
                if (direct) {
                    base = out.addressOf(src) + position;
                } else {
                    ByteBuffer bounce = out.bounce();
                    length = Math.min(length, bounce.capacity());
                    bounce.put(0, src, position, length);
                    base = out.addressOf(bounce);
                }
                m.putLong(IOV_BASE, base);
                m.putLong(IOV_LEN, length);
                m.putInt(MSG_FLAGS, 0);
                long sent = LIBC.sendmsg(fd.fd(), out.address + MSG, LibC.MSG_NOSIGNAL);
                if (sent < 0) {
                    int errno = Native.errno();
                    if (errno == LibC.EINTR) {
                        continue;
                    }
                    throw new LinuxException("sendmsg", errno, fd.isClosed() ? "the connection was closed locally" : null);
                }
                // The fds went with the first chunk; later chunks carry bytes only.
                m.putLong(MSG_CONTROL, 0);
                m.putLong(MSG_CONTROLLEN, 0);
                src.position(position + (int) sent);
            }
        } finally {
            // Sent fds are duplicates in the peer now; unsent ones are ours to drop. Either way: close.
            fds.closeAll(Fds.CLOSER);
            fd.release();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Received fds are close-on-exec. If the control data was truncated (more fds than one receive
     * holds, or the process is at its fd limit) the fds that did arrive are closed and an IOException
     * is thrown: the stream can no longer be matched with its fds.
     */
    @Override
    public int receive(ByteBuffer dst, FdQueue fds) throws IOException {
        if (!dst.hasRemaining()) {
            throw new IllegalArgumentException("no room in the receive buffer: " + dst);
        }
        if (!fd.acquire()) {
            return -1;
        }
        try {
            Pointer m = in.memory;
            int position = dst.position();
            int length = dst.remaining();
            boolean direct = dst.isDirect();
            long base;
            if (direct) {
                base = in.addressOf(dst) + position;
            } else {
                length = Math.min(length, BOUNCE_SIZE);
                base = in.addressOf(in.bounce());
            }
            long received;
            do {
                m.putLong(IOV_BASE, base);
                m.putLong(IOV_LEN, length);
                m.putLong(MSG_CONTROL, in.address + CONTROL);
                m.putLong(MSG_CONTROLLEN, CONTROL_SIZE);
                m.putInt(MSG_FLAGS, 0);
                received = LIBC.recvmsg(fd.fd(), in.address + MSG, LibC.MSG_CMSG_CLOEXEC);
            } while (received < 0 && Native.errno() == LibC.EINTR);
            if (received < 0) {
                int errno = Native.errno();
                throw new LinuxException("recvmsg", errno);
            }
            boolean truncated = (m.getInt(MSG_FLAGS) & LibC.MSG_CTRUNC) != 0;
            int arrived = takeFds(m, fds, truncated);
            if (truncated) {
                throw new IOException("recvmsg: control data truncated (MSG_CTRUNC); closed the " + arrived
                        + " fds that arrived. The peer sent more than " + LibC.SCM_MAX_FD
                        + " fds at once, or this process reached its fd limit (ulimit -n)");
            }
            if (received == 0) {
                return -1;
            }
            int n = (int) received;
            if (!direct) {
                dst.put(position, in.bounce(), 0, n);
            }
            dst.position(position + n);
            return n;
        } finally {
            fd.release();
        }
    }

    /** Walks the control messages of the last recvmsg; returns how many fds arrived (closed if {@code drop}). */
    private static int takeFds(Pointer m, FdQueue fds, boolean drop) {
        long controlLength = m.getLong(MSG_CONTROLLEN);
        int count = 0;
        long offset = 0;
        while (offset + CMSGHDR_SIZE <= controlLength) {
            long cmsgLen = m.getLong(CONTROL + offset);
            if (cmsgLen < CMSGHDR_SIZE || offset + cmsgLen > controlLength) {
                break;
            }
            if (m.getInt(CONTROL + offset + 8) == LibC.SOL_SOCKET && m.getInt(CONTROL + offset + 12) == LibC.SCM_RIGHTS) {
                int n = (int) ((cmsgLen - CMSGHDR_SIZE) / 4);
                for (int i = 0; i < n; i++) {
                    int received = m.getInt(CONTROL + offset + CMSGHDR_SIZE + 4L * i);
                    if (drop) {
                        Fds.close(received);
                    } else {
                        fds.add(received);
                    }
                }
                count += n;
            }
            offset += align8(cmsgLen);
        }
        return count;
    }

    /** Idempotent; wakes a thread blocked in {@link #receive}, which then returns -1. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "UnixSocket[fd " + fd.fd() + (fd.isClosed() ? ", closed]" : "]");
    }

    /** {@code CMSG_LEN(n)}: header plus payload. */
    private static long cmsgLen(int payload) {
        return CMSGHDR_SIZE + payload;
    }

    /** {@code CMSG_SPACE(n)}: header plus payload padded to {@code size_t} alignment. */
    private static int cmsgSpace(int payload) {
        return CMSGHDR_SIZE + (int) align8(payload);
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /** The native msghdr, iovec and control buffer of one direction, made once. */
    private static final class NativeMsg {
        final Pointer memory = Memory.allocateDirect(Native.runtime(), CONTROL + CONTROL_SIZE, true);
        final long address = memory.address();
        private ByteBuffer cachedBuffer;
        private long cachedAddress;
        private ByteBuffer bounce;

        NativeMsg() {
            memory.putLong(MSG + MSG_IOV, address + IOV);
            memory.putLong(MSG + MSG_IOVLEN, 1);
        }

        /** Address of element 0 of a direct buffer, remembered for the buffer last used (usually the same one). */
        long addressOf(ByteBuffer buffer) {
            if (buffer != cachedBuffer) {
                cachedAddress = Native.address(buffer);
                cachedBuffer = buffer;
            }
            return cachedAddress;
        }

        /** Staging memory for heap buffers, made on first use. */
        ByteBuffer bounce() {
            if (bounce == null) {
                bounce = ByteBuffer.allocateDirect(BOUNCE_SIZE);
            }
            return bounce;
        }
    }
}
