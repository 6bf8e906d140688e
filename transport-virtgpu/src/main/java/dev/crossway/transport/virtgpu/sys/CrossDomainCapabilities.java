package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct CrossDomainCapabilities} (rutabaga_gfx src/cross_domain/cross_domain_protocol.rs): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct CrossDomainCapabilities {
 *     uint32_t version;
 *     uint32_t supported_channels;
 *     uint32_t supports_dmabuf;
 *     uint32_t supports_external_gpu_memory;
 * };
 * </pre>
 *
 * <p>Capset 5 (cross-domain), version 0, as {@code DRM_IOCTL_VIRTGPU_GET_CAPS} returns it.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code xd_caps}) by the layout test.
 */
public final class CrossDomainCapabilities {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "xd_caps";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 16;
    // Field offsets, each named after its C field in upper case.
    public static final int VERSION = 0;
    public static final int SUPPORTED_CHANNELS = 4;
    public static final int SUPPORTS_DMABUF = 8;
    public static final int SUPPORTS_EXTERNAL_GPU_MEMORY = 12;

    private CrossDomainCapabilities() {
    }
}
