package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainGetImageRequirements} (rutabaga_gfx src/cross_domain/cross_domain_protocol.rs; Sommelier virtgpu_cross_domain_protocol.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainGetImageRequirements {
 *     struct CrossDomainHeader hdr;
 *     uint32_t width;
 *     uint32_t height;
 *     uint32_t drm_format;
 *     uint32_t flags;
 * };
 * </pre>
 *
 * <p>{@code CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS}; the reply lands in the query ring.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_get_reqs}) by the layout test.
 */
public final class CrossDomainGetImageRequirements {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_get_reqs";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 24;
    // Field offsets, each named after its C field in upper case.
    public static final int HDR = 0;
    public static final int WIDTH = 8;
    public static final int HEIGHT = 12;
    public static final int DRM_FORMAT = 16;
    public static final int FLAGS = 20;

    private CrossDomainGetImageRequirements() {
    }
}
