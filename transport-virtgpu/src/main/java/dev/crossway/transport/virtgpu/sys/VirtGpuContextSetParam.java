package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_context_set_param} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_context_set_param {
 *     __u64 param;
 *     __u64 value;
 * };
 * </pre>
 *
 * <p>One element of the array {@link VirtGpuContextInit#CTX_SET_PARAMS} points at.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_context_set_param}) by the layout test.
 */
public final class VirtGpuContextSetParam {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_context_set_param";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 16;
    // Field offsets, each named after its C field in upper case.
    public static final int PARAM = 0;
    public static final int VALUE = 8;

    private VirtGpuContextSetParam() {
    }
}
