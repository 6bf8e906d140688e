package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_3d_wait} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_3d_wait {
 *     __u32 handle; &#47;* 0 is an invalid handle *&#47;
 *     __u32 flags;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_VIRTGPU_WAIT}: waits for the fences attached to a BO.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_3d_wait}) by the layout test.
 */
public final class VirtGpu3dWait {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_3d_wait";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 8;
    // Field offsets, each named after its C field in upper case.
    public static final int HANDLE = 0;
    public static final int FLAGS = 4;

    private VirtGpu3dWait() {
    }
}
