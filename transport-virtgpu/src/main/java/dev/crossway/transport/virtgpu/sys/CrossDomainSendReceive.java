package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainSendReceive} (rutabaga_gfx src/cross_domain/cross_domain_protocol.rs (CROSS_DOMAIN_MAX_IDENTIFIERS = 28, crosvm 03c5118df and later)): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainSendReceive {
 *     struct CrossDomainHeader hdr;
 *     uint32_t num_identifiers;
 *     uint32_t opaque_data_size;
 *     uint32_t identifiers[28];
 *     uint32_t identifier_types[28];
 *     uint32_t identifier_sizes[28];
 *     &#47;* opaque_data_size bytes of Wayland data follow *&#47;
 * };
 * </pre>
 *
 * <p>SEND (guest to host) and RECEIVE (host to guest, in the channel ring), 28-identifier hosts.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_sendrecv28}) by the layout test.
 */
public final class CrossDomainSendReceive {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_sendrecv28";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 352;
    // Field offsets, each named after its C field in upper case.
    public static final int HDR = 0;
    public static final int NUM_IDENTIFIERS = 8;
    public static final int OPAQUE_DATA_SIZE = 12;
    public static final int IDENTIFIERS = 16;
    public static final int IDENTIFIER_TYPES = 128;
    public static final int IDENTIFIER_SIZES = 240;

    private CrossDomainSendReceive() {
    }
}
