package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_prime_handle} (include/uapi/drm/drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_prime_handle {
 *     __u32 handle;
 *     __u32 flags;    &#47;* Flags.. only applicable for handle-&gt;fd *&#47;
 *     __s32 fd;    &#47;* Returned dmabuf file descriptor *&#47;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_PRIME_HANDLE_TO_FD} and {@code DRM_IOCTL_PRIME_FD_TO_HANDLE}.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_prime_handle}) by the layout test.
 */
public final class VirtGpuDrmPrimeHandle {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_prime_handle";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 12;
    // Field offsets, each named after its C field in upper case.
    public static final int HANDLE = 0;
    public static final int FLAGS = 4;
    public static final int FD = 8;

    private VirtGpuDrmPrimeHandle() {
    }
}
