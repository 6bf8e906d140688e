package dev.crossway.transport.virtwl.sys;

/**
 * Kernel numbers of the virtwl driver, with their upstream names, from the ChromeOS uapi header
 * {@code include/uapi/linux/virtwl.h} (type {@code 'w'}; identical on x86_64 and aarch64). The driver
 * compares SEND, RECV and DMABUF_SYNC by their full value, whose direction bits are "backwards" in the
 * header, so the numbers are written out exactly; the layout test recomputes them against
 * {@code uapi-layout-x86_64.txt}. Constants only, no logic.
 */
public final class VirtWlUapi {
    private VirtWlUapi() {
    }

    /** {@code _IOWR('w', 0x00, struct virtwl_ioctl_new)}: on {@code /dev/wl0}, makes a VFD. */
    public static final long VIRTWL_IOCTL_NEW = 0xC0307700L;
    /** {@code _IOR('w', 0x01, struct virtwl_ioctl_txn)}: on a context VFD, sends bytes and VFDs. */
    public static final long VIRTWL_IOCTL_SEND = 0x80747701L;
    /** {@code _IOW('w', 0x02, struct virtwl_ioctl_txn)}: on a context VFD, receives bytes and VFDs. */
    public static final long VIRTWL_IOCTL_RECV = 0x40747702L;
    /** {@code _IOR('w', 0x03, struct virtwl_ioctl_dmabuf_sync)}: on a dma-buf VFD, brackets CPU access. */
    public static final long VIRTWL_IOCTL_DMABUF_SYNC = 0x80047703L;

    // virtwl_ioctl_new.type
    /** A connection to the host's default Wayland socket. */
    public static final int VIRTWL_IOCTL_NEW_CTX = 0;
    /** Host memory of {@code size} bytes, mappable. */
    public static final int VIRTWL_IOCTL_NEW_ALLOC = 1;
    /** A pipe the guest reads: the host end given to the compositor is a write end. */
    public static final int VIRTWL_IOCTL_NEW_PIPE_READ = 2;
    /** A pipe the guest writes: the compositor gets the read end. */
    public static final int VIRTWL_IOCTL_NEW_PIPE_WRITE = 3;
    /** A host dma-buf (crosvm built with gbm; ENOTTY otherwise). */
    public static final int VIRTWL_IOCTL_NEW_DMABUF = 4;
    /** Like NEW_CTX, to the socket crosvm names with {@code --wayland-sock PATH,name=NAME}. */
    public static final int VIRTWL_IOCTL_NEW_CTX_NAMED = 5;

    /** Most VFDs one SEND or RECV carries. */
    public static final int VIRTWL_SEND_MAX_ALLOCS = 28;
    /** Bytes per SEND and RECV, Sommelier's limit: one page less the 116-byte txn header. */
    public static final int VIRTWL_SEND_MAX_DATA = 4096 - VirtWlIoctlTxn.SIZEOF;
    /** Bytes one host message carries (crosvm's IN_BUFFER_LEN): one page less the header and 28 VFD ids. */
    public static final int VIRTWL_HOST_MAX_DATA = 4096 - 16 - 4 * VIRTWL_SEND_MAX_ALLOCS;
    /** Length of {@code virtwl_ioctl_new.name}, NUL-padded. */
    public static final int VIRTWL_NAME_LENGTH = 32;

    /** Where the driver's only device appears: class {@code wl}, name {@code wl%d}, index 0. */
    public static final String VIRTWL_DEVICE = "/dev/wl0";
}
