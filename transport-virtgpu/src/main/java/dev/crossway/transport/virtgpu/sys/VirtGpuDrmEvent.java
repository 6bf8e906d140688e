package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_event} (include/uapi/drm/drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_event {
 *     __u32 type;
 *     __u32 length;    &#47;* including this header *&#47;
 * };
 * </pre>
 *
 * <p>What {@code read(drm_fd)} returns, whole events only; fence events are exactly 8 bytes.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_event}) by the layout test.
 */
public final class VirtGpuDrmEvent {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_event";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 8;
    // Field offsets, each named after its C field in upper case.
    public static final int TYPE = 0;
    public static final int LENGTH = 4;

    private VirtGpuDrmEvent() {
    }
}
