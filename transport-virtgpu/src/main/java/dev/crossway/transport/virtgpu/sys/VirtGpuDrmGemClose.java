package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_gem_close} (include/uapi/drm/drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_gem_close {
 *     __u32 handle;
 *     __u32 pad;
 * };
 * </pre>
 *
 * <p>Argument of {@code DRM_IOCTL_GEM_CLOSE}.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_gem_close}) by the layout test.
 */
public final class VirtGpuDrmGemClose {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_gem_close";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 8;
    // Field offsets, each named after its C field in upper case.
    public static final int HANDLE = 0;
    public static final int PAD = 4;

    private VirtGpuDrmGemClose() {
    }
}
