package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainSendReceive} (crosvm rutabaga_gfx before 03c5118df (2024-02-05), CROSS_DOMAIN_MAX_IDENTIFIERS = 4): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainSendReceive {
 *     struct CrossDomainHeader hdr;
 *     uint32_t num_identifiers;
 *     uint32_t opaque_data_size;
 *     uint32_t identifiers[4];
 *     uint32_t identifier_types[4];
 *     uint32_t identifier_sizes[4];
 *     &#47;* opaque_data_size bytes of Wayland data follow *&#47;
 * };
 * </pre>
 *
 * <p>SEND and RECEIVE for older hosts (4 identifiers); there is no in-band way to tell, so it is a setting.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_sendrecv4}) by the layout test.
 */
public final class CrossDomainSendReceive4 {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_sendrecv4";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 64;
    // Field offsets, each named after its C field in upper case.
    public static final int HDR = 0;
    public static final int NUM_IDENTIFIERS = 8;
    public static final int OPAQUE_DATA_SIZE = 12;
    public static final int IDENTIFIERS = 16;
    public static final int IDENTIFIER_TYPES = 32;
    public static final int IDENTIFIER_SIZES = 48;

    private CrossDomainSendReceive4() {
    }
}
