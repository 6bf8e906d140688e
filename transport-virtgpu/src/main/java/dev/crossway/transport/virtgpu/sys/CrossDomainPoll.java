package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainPoll} (Sommelier virtgpu_cross_domain_protocol.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainPoll {
 *     struct CrossDomainHeader hdr;
 *     uint64_t pad;
 * };
 * </pre>
 *
 * <p>{@code CROSS_DOMAIN_CMD_POLL}; the host reads only the header.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_poll}) by the layout test.
 */
public final class CrossDomainPoll {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_poll";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 16;
    // Field offsets, each named after its C field in upper case.
    public static final int HDR = 0;
    public static final int PAD = 8;

    private CrossDomainPoll() {
    }
}
