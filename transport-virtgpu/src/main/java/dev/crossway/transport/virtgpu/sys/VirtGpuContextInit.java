package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_context_init} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_context_init {
 *     __u32 num_params;
 *     __u32 pad;
 * 
 *     &#47;* pointer to drm_virtgpu_context_set_param array *&#47;
 *     __u64 ctx_set_params;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_VIRTGPU_CONTEXT_INIT}; must be the first context-touching call on a fresh fd.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_context_init}) by the layout test.
 */
public final class VirtGpuContextInit {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_context_init";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 16;
    // Field offsets, each named after its C field in upper case.
    public static final int NUM_PARAMS = 0;
    public static final int PAD = 4;
    public static final int CTX_SET_PARAMS = 8;

    private VirtGpuContextInit() {
    }
}
