package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_getparam} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_getparam {
 *     __u64 param;
 *     __u64 value;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_VIRTGPU_GETPARAM}. {@code value} is a <em>pointer</em> to a 4-byte int the kernel writes through.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_getparam}) by the layout test.
 */
public final class VirtGpuGetparam {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_getparam";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 16;
    // Field offsets, each named after its C field in upper case.
    public static final int PARAM = 0;
    public static final int VALUE = 8;

    private VirtGpuGetparam() {
    }
}
