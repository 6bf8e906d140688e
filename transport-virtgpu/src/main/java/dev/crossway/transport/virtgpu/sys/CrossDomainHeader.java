package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainHeader} (rutabaga_gfx src/cross_domain/cross_domain_protocol.rs; Sommelier virtgpu_cross_domain_protocol.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainHeader {
 *     uint8_t cmd;
 *     uint8_t ring_idx;   &#47;* Sommelier: fence_ctx_idx; ignored by the host, write 0 *&#47;
 *     uint16_t cmd_size;  &#47;* whole command, header and trailing data included *&#47;
 *     uint32_t pad;
 * };
 * </pre>
 *
 * <p>Prefix of every cross-domain command. Host-written replies fill only {@code cmd}.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_hdr}) by the layout test.
 */
public final class CrossDomainHeader {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_hdr";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 8;
    // Field offsets, each named after its C field in upper case.
    public static final int CMD = 0;
    public static final int RING_IDX = 1;
    public static final int CMD_SIZE = 2;
    public static final int PAD = 4;

    private CrossDomainHeader() {
    }
}
