package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_resource_create_blob} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_resource_create_blob {
 * #define VIRTGPU_BLOB_MEM_GUEST             0x0001
 * #define VIRTGPU_BLOB_MEM_HOST3D            0x0002
 * #define VIRTGPU_BLOB_MEM_HOST3D_GUEST      0x0003
 * 
 * #define VIRTGPU_BLOB_FLAG_USE_MAPPABLE     0x0001
 * #define VIRTGPU_BLOB_FLAG_USE_SHAREABLE    0x0002
 * #define VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE 0x0004
 *     &#47;* zero is invalid blob_mem *&#47;
 *     __u32 blob_mem;
 *     __u32 blob_flags;
 *     __u32 bo_handle;
 *     __u32 res_handle;
 *     __u64 size;
 * 
 *     &#47;*
 *      * for 3D contexts with VIRTGPU_BLOB_MEM_HOST3D_GUEST and
 *      * VIRTGPU_BLOB_MEM_HOST3D otherwise, must be zero.
 *      *&#47;
 *     __u32 pad;
 *     __u32 cmd_size;
 *     __u64 cmd;
 *     __u64 blob_id;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB}.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_resource_create_blob}) by the layout test.
 */
public final class VirtGpuResourceCreateBlob {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_resource_create_blob";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 48;
    // Field offsets, each named after its C field in upper case.
    public static final int BLOB_MEM = 0;
    public static final int BLOB_FLAGS = 4;
    public static final int BO_HANDLE = 8;
    public static final int RES_HANDLE = 12;
    public static final int SIZE = 16;
    public static final int PAD = 24;
    public static final int CMD_SIZE = 28;
    public static final int CMD = 32;
    public static final int BLOB_ID = 40;

    private VirtGpuResourceCreateBlob() {
    }
}
