package dev.crossway.transport.virtwl.sys;

/**
 * Mirror of {@code struct virtwl_ioctl_dmabuf_sync} (include/uapi/linux/virtwl.h).
 * <pre>
 * struct virtwl_ioctl_dmabuf_sync {
 *     __u32 flags;  &#47;* synchronization flags (see dma-buf.h) *&#47;
 * };
 * </pre>
 *
 * <p>Argument of {@code VIRTWL_IOCTL_DMABUF_SYNC}; Crossway makes no dma-buf VFDs, so only the layout
 * test and the emulator use it. Checked against {@code uapi-layout-x86_64.txt} (as {@code vwl_dmabuf_sync}).
 */
public final class VirtWlIoctlDmabufSync {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "vwl_dmabuf_sync";
    /** {@code sizeof}: the bytes the ioctl carries. */
    public static final int SIZEOF = 4;
    // Field offsets, each named after its C field in upper case.
    public static final int FLAGS = 0;

    private VirtWlIoctlDmabufSync() {
    }
}
