package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainImageRequirements} (rutabaga_gfx src/cross_domain/cross_domain_protocol.rs; Sommelier virtgpu_cross_domain_protocol.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainImageRequirements {
 *     uint32_t strides[4];
 *     uint32_t offsets[4];
 *     uint64_t modifier;
 *     uint64_t size;
 *     uint32_t blob_id;
 *     uint32_t map_info;
 *     int32_t memory_idx;
 *     int32_t physical_device_idx;
 * };
 * </pre>
 *
 * <p>The host's reply to GET_IMAGE_REQUIREMENTS, at offset 0 of the query ring.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_image_reqs}) by the layout test.
 */
public final class CrossDomainImageRequirements {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_image_reqs";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 64;
    // Field offsets, each named after its C field in upper case.
    public static final int STRIDES = 0;
    public static final int OFFSETS = 16;
    public static final int MODIFIER = 32;
    public static final int SIZE = 40;
    public static final int BLOB_ID = 48;
    public static final int MAP_INFO = 52;
    public static final int MEMORY_IDX = 56;
    public static final int PHYSICAL_DEVICE_IDX = 60;

    private CrossDomainImageRequirements() {
    }
}
