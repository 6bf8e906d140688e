package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_get_caps} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_get_caps {
 *     __u32 cap_set_id;
 *     __u32 cap_set_ver;
 *     __u64 addr;
 *     __u32 size;
 *     __u32 pad;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_VIRTGPU_GET_CAPS}: copies {@code min(size, host capset size)} bytes to {@code addr}.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_get_caps}) by the layout test.
 */
public final class VirtGpuGetCaps {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_get_caps";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 24;
    // Field offsets, each named after its C field in upper case.
    public static final int CAP_SET_ID = 0;
    public static final int CAP_SET_VER = 4;
    public static final int ADDR = 8;
    public static final int SIZE = 16;
    public static final int PAD = 20;

    private VirtGpuGetCaps() {
    }
}
