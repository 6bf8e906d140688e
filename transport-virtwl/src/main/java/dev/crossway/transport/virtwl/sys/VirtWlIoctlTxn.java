package dev.crossway.transport.virtwl.sys;

/**
 * Mirror of {@code struct virtwl_ioctl_txn} (include/uapi/linux/virtwl.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct virtwl_ioctl_txn {
 *     int fds[VIRTWL_SEND_MAX_ALLOCS];  &#47;* 28; SEND: ended by the first negative entry *&#47;
 *     __u32 len;                         &#47;* data bytes; RECV: capacity in, bytes copied out *&#47;
 *     __u8 data[0];                      &#47;* the Wayland bytes, right after the header *&#47;
 * };
 * </pre>
 *
 * <p>Argument of {@code VIRTWL_IOCTL_SEND} and {@code VIRTWL_IOCTL_RECV}: this 116-byte header followed by
 * {@code len} bytes. Layout checked against {@code uapi-layout-x86_64.txt} (as {@code vwl_txn}) by the layout test.
 */
public final class VirtWlIoctlTxn {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "vwl_txn";
    /** {@code sizeof}: the header's bytes; the data follows. */
    public static final int SIZEOF = 116;
    // Field offsets, each named after its C field in upper case.
    public static final int FDS = 0;
    public static final int LEN = 112;
    public static final int DATA = 116;

    private VirtWlIoctlTxn() {
    }
}
