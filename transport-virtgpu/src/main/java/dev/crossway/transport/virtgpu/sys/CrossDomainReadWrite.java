package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainReadWrite} (rutabaga_gfx src/cross_domain/cross_domain_protocol.rs; Sommelier virtgpu_cross_domain_protocol.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainReadWrite {
 *     struct CrossDomainHeader hdr;
 *     uint32_t identifier;
 *     uint32_t hang_up;
 *     uint32_t opaque_data_size;
 *     uint32_t pad;
 *     &#47;* opaque_data_size bytes follow *&#47;
 * };
 * </pre>
 *
 * <p>WRITE (guest to host) and READ (host to guest, in the channel ring): pipe data.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_readwrite}) by the layout test.
 */
public final class CrossDomainReadWrite {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_readwrite";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 24;
    // Field offsets, each named after its C field in upper case.
    public static final int HDR = 0;
    public static final int IDENTIFIER = 8;
    public static final int HANG_UP = 12;
    public static final int OPAQUE_DATA_SIZE = 16;
    public static final int PAD = 20;

    private CrossDomainReadWrite() {
    }
}
