package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_resource_info} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_resource_info {
 *     __u32 bo_handle;
 *     __u32 res_handle;
 *     __u32 size;
 *     __u32 blob_mem;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_VIRTGPU_RESOURCE_INFO}: GEM handle in, host resource id out. {@code blob_mem} is written for blobs only: zero it first.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_resource_info}) by the layout test.
 */
public final class VirtGpuResourceInfo {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_resource_info";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 16;
    // Field offsets, each named after its C field in upper case.
    public static final int BO_HANDLE = 0;
    public static final int RES_HANDLE = 4;
    public static final int SIZE = 8;
    public static final int BLOB_MEM = 12;

    private VirtGpuResourceInfo() {
    }
}
