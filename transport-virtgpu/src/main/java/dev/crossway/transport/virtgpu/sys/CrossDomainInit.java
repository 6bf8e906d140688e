package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainInit} (rutabaga_gfx src/cross_domain/cross_domain_protocol.rs; Sommelier virtgpu_cross_domain_protocol.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainInit {
 *     struct CrossDomainHeader hdr;
 *     uint32_t query_ring_id;
 *     uint32_t channel_ring_id;
 *     uint32_t channel_type;
 * };
 * </pre>
 *
 * <p>{@code CROSS_DOMAIN_CMD_INIT}, the 20-byte (v1) form with two rings; the host dispatches INIT by its exact size.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_init_v1}) by the layout test.
 */
public final class CrossDomainInit {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_init_v1";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 20;
    // Field offsets, each named after its C field in upper case.
    public static final int HDR = 0;
    public static final int QUERY_RING_ID = 8;
    public static final int CHANNEL_RING_ID = 12;
    public static final int CHANNEL_TYPE = 16;

    private CrossDomainInit() {
    }
}
