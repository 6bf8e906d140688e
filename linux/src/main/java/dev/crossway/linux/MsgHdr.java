package dev.crossway.linux;

/**
 * Offsets of {@code struct msghdr} and {@code struct iovec} on x86_64 ({@code <sys/socket.h>},
 * {@code <bits/uio.h>}), for the sockets here that fill them in native memory:
 * <pre>
 * struct msghdr {              // 56 bytes
 *     void *msg_name;          // @0
 *     socklen_t msg_namelen;   // @8
 *     struct iovec *msg_iov;   // @16
 *     size_t msg_iovlen;       // @24
 *     void *msg_control;       // @32
 *     size_t msg_controllen;   // @40
 *     int msg_flags;           // @48
 * };
 * struct iovec {               // 16 bytes
 *     void *iov_base;          // @0
 *     size_t iov_len;          // @8
 * };
 * </pre>
 */
final class MsgHdr {
    static final int NAME = 0;
    static final int NAMELEN = 8;
    static final int IOV = 16;
    static final int IOVLEN = 24;
    static final int CONTROL = 32;
    static final int CONTROLLEN = 40;
    static final int FLAGS = 48;
    static final int SIZE = 56;

    static final int IOV_BASE = 0;
    static final int IOV_LEN = 8;
    static final int IOVEC_SIZE = 16;

    private MsgHdr() {
    }
}
