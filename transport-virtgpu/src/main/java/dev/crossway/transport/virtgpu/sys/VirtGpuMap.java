package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_map} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_map {
 *     __u64 offset; &#47;* use for mmap system call *&#47;
 *     __u32 handle;
 *     __u32 pad;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_VIRTGPU_MAP}: the fake offset to {@code mmap} the DRM fd at.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_map}) by the layout test.
 */
public final class VirtGpuMap {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_map";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 16;
    // Field offsets, each named after its C field in upper case.
    public static final int OFFSET = 0;
    public static final int HANDLE = 8;
    public static final int PAD = 12;

    private VirtGpuMap() {
    }
}
