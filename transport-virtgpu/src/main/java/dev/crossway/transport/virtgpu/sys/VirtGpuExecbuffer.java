package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_virtgpu_execbuffer} (include/uapi/drm/virtgpu_drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_virtgpu_execbuffer {
 *     __u32 flags;
 *     __u32 size;
 *     __u64 command; &#47;* void* *&#47;
 *     __u64 bo_handles;
 *     __u32 num_bo_handles;
 *     __s32 fence_fd; &#47;* in/out fence fd (see VIRTGPU_EXECBUF_FENCE_FD_IN/OUT) *&#47;
 *     __u32 ring_idx; &#47;* command ring index (see VIRTGPU_EXECBUF_RING_IDX) *&#47;
 *     __u32 pad;      &#47;* 6.12 headers: __u32 syncobj_stride, then num_in_syncobjs, num_out_syncobjs,
 *                        __u64 in_syncobjs, __u64 out_syncobjs (64 bytes in all) *&#47;
 * };
 * </pre>
 *
 * <p>The 40-byte form (kernels 5.16 to 6.x without syncobjs). DRM copies {@code min(request size, kernel size)} and zero-fills the rest, so the 40-byte request {@link VirtGpuUapi#DRM_IOCTL_VIRTGPU_EXECBUFFER} works on kernels whose struct is 64 bytes. The slot at 36 ({@code pad}, later {@code syncobj_stride}) stays 0, so it has no constant here.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_virtgpu_execbuffer}) by the layout test.
 */
public final class VirtGpuExecbuffer {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_virtgpu_execbuffer";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 40;
    // Field offsets, each named after its C field in upper case.
    public static final int FLAGS = 0;
    public static final int SIZE = 4;
    public static final int COMMAND = 8;
    public static final int BO_HANDLES = 16;
    public static final int NUM_BO_HANDLES = 24;
    public static final int FENCE_FD = 28;
    public static final int RING_IDX = 32;

    private VirtGpuExecbuffer() {
    }
}
