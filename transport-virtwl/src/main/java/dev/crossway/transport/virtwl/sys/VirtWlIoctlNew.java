package dev.crossway.transport.virtwl.sys;

/**
 * Mirror of {@code struct virtwl_ioctl_new} (include/uapi/linux/virtwl.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct virtwl_ioctl_new {
 *     __u32 type;   &#47;* VIRTWL_IOCTL_NEW_* *&#47;
 *     int fd;       &#47;* return fd *&#47;
 *     __u32 flags;  &#47;* currently always 0 *&#47;
 *     union {
 *         __u32 size;               &#47;* NEW_ALLOC: size in bytes *&#47;
 *         struct { __u32 width, height, format, stride0, stride1, stride2, offset0, offset1, offset2; } dmabuf;
 *         char name[32];            &#47;* NEW_CTX_NAMED: the host socket's name *&#47;
 *     };
 * };
 * </pre>
 *
 * <p>Argument of {@code VIRTWL_IOCTL_NEW}, 48 bytes (the driver also takes the oldest 16-byte form).
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code vwl_new}) by the layout test.
 */
public final class VirtWlIoctlNew {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "vwl_new";
    /** {@code sizeof}: the bytes the ioctl carries. */
    public static final int SIZEOF = 48;
    // Field offsets, each named after its C field in upper case.
    public static final int TYPE = 0;
    public static final int FD = 4;
    public static final int FLAGS = 8;
    public static final int SIZE = 12;
    public static final int DMABUF = 12;
    public static final int NAME = 12;

    private VirtWlIoctlNew() {
    }
}
