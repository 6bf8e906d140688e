package dev.crossway.transport.virtgpu.sys;

/**
 * Mirror of {@code struct drm_version} (include/uapi/drm/drm.h): byte offsets, x86_64 and aarch64 alike.
 * <pre>
 * struct drm_version {
 *     int version_major;      &#47;* Major version *&#47;
 *     int version_minor;      &#47;* Minor version *&#47;
 *     int version_patchlevel;      &#47;* Patch level *&#47;
 *     __kernel_size_t name_len; &#47;* Length of name buffer *&#47;
 *     char __user *name;      &#47;* Name of driver *&#47;
 *     __kernel_size_t date_len; &#47;* Length of date buffer *&#47;
 *     char __user *date;      &#47;* User-space buffer to hold date *&#47;
 *     __kernel_size_t desc_len; &#47;* Length of desc buffer *&#47;
 *     char __user *desc;      &#47;* User-space buffer to hold desc *&#47;
 * };
 * </pre>
 *
 * <p>Used by {@code DRM_IOCTL_VERSION} to learn the driver name ({@code virtio_gpu}). {@code name_len} is in: capacity, out: true length; the kernel adds no NUL.
 * Layout checked against {@code uapi-layout-x86_64.txt} (as {@code drm_version}) by the layout test.
 */
public final class VirtGpuDrmVersion {
    /** This struct's name in {@code uapi-layout-x86_64.txt}. */
    public static final String LAYOUT_NAME = "drm_version";
    /** {@code sizeof}: the bytes the ioctl or command carries. */
    public static final int SIZEOF = 64;
    // Field offsets, each named after its C field in upper case.
    public static final int VERSION_MAJOR = 0;
    public static final int VERSION_MINOR = 4;
    public static final int VERSION_PATCHLEVEL = 8;
    public static final int NAME_LEN = 16;
    public static final int NAME = 24;
    public static final int DATE_LEN = 32;
    public static final int DATE = 40;
    public static final int DESC_LEN = 48;
    public static final int DESC = 56;

    private VirtGpuDrmVersion() {
    }
}
