package dev.crossway.transport.virtgpu.sys;

/**
 * Kernel numbers of the DRM core and the virtio-gpu driver, with their upstream names, from
 * {@code include/uapi/drm/drm.h} and {@code include/uapi/drm/virtgpu_drm.h} (identical on x86_64 and
 * aarch64: both use the generic {@code _IOC} encoding, {@code (dir << 30) | (size << 16) | ('d' << 8) | nr}).
 *
 * <p>Requests are written out as literals, zero-extended for jnr-ffi's {@code unsigned long}; the layout
 * test recomputes them against {@code uapi-layout-x86_64.txt}. Constants only, no logic.
 */
public final class VirtGpuUapi {
    private VirtGpuUapi() {
    }

    // DRM core ioctls (drm.h); all allowed on render nodes.
    /** {@code _IOWR('d', 0x00, struct drm_version)} */
    public static final long DRM_IOCTL_VERSION = 0xC0406400L;
    /** {@code _IOW('d', 0x09, struct drm_gem_close)} */
    public static final long DRM_IOCTL_GEM_CLOSE = 0x40086409L;
    /** {@code _IOWR('d', 0x2d, struct drm_prime_handle)} */
    public static final long DRM_IOCTL_PRIME_HANDLE_TO_FD = 0xC00C642DL;
    /** {@code _IOWR('d', 0x2e, struct drm_prime_handle)} */
    public static final long DRM_IOCTL_PRIME_FD_TO_HANDLE = 0xC00C642EL;

    // virtio-gpu driver ioctls (virtgpu_drm.h): DRM_COMMAND_BASE 0x40 + DRM_VIRTGPU_*.
    /** {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_MAP, struct drm_virtgpu_map)} */
    public static final long DRM_IOCTL_VIRTGPU_MAP = 0xC0106441L;
    /**
     * {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_EXECBUFFER, struct drm_virtgpu_execbuffer)} with the
     * 40-byte struct (5.16+ headers before syncobjs). Newer headers give {@code 0xC0406442} (64 bytes); DRM
     * dispatches on {@code nr} and copies what the caller's size says, so this one works on every kernel
     * that has {@code ring_idx}.
     */
    public static final long DRM_IOCTL_VIRTGPU_EXECBUFFER = 0xC0286442L;
    /** {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_GETPARAM, struct drm_virtgpu_getparam)} */
    public static final long DRM_IOCTL_VIRTGPU_GETPARAM = 0xC0106443L;
    /** {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_INFO, struct drm_virtgpu_resource_info)} */
    public static final long DRM_IOCTL_VIRTGPU_RESOURCE_INFO = 0xC0106445L;
    /** {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_WAIT, struct drm_virtgpu_3d_wait)} */
    public static final long DRM_IOCTL_VIRTGPU_WAIT = 0xC0086448L;
    /** {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_GET_CAPS, struct drm_virtgpu_get_caps)} */
    public static final long DRM_IOCTL_VIRTGPU_GET_CAPS = 0xC0186449L;
    /** {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_CREATE_BLOB, struct drm_virtgpu_resource_create_blob)} */
    public static final long DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB = 0xC030644AL;
    /** {@code DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_CONTEXT_INIT, struct drm_virtgpu_context_init)} */
    public static final long DRM_IOCTL_VIRTGPU_CONTEXT_INIT = 0xC010644BL;

    // drm_prime_handle.flags (drm.h): O_CLOEXEC and O_RDWR.
    public static final int DRM_CLOEXEC = 0x80000;
    public static final int DRM_RDWR = 0x2;

    // VIRTGPU_PARAM_* (drm_virtgpu_getparam.param).
    public static final int VIRTGPU_PARAM_3D_FEATURES = 1;
    public static final int VIRTGPU_PARAM_CAPSET_QUERY_FIX = 2;
    public static final int VIRTGPU_PARAM_RESOURCE_BLOB = 3;
    public static final int VIRTGPU_PARAM_HOST_VISIBLE = 4;
    public static final int VIRTGPU_PARAM_CROSS_DEVICE = 5;
    public static final int VIRTGPU_PARAM_CONTEXT_INIT = 6;
    public static final int VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs = 7;

    // VIRTGPU_CONTEXT_PARAM_* (drm_virtgpu_context_set_param.param).
    public static final int VIRTGPU_CONTEXT_PARAM_CAPSET_ID = 1;
    public static final int VIRTGPU_CONTEXT_PARAM_NUM_RINGS = 2;
    public static final int VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK = 3;

    // drm_virtgpu_execbuffer.flags.
    public static final int VIRTGPU_EXECBUF_FENCE_FD_IN = 0x01;
    public static final int VIRTGPU_EXECBUF_FENCE_FD_OUT = 0x02;
    public static final int VIRTGPU_EXECBUF_RING_IDX = 0x04;

    // drm_virtgpu_resource_create_blob.blob_mem and .blob_flags.
    public static final int VIRTGPU_BLOB_MEM_GUEST = 0x0001;
    public static final int VIRTGPU_BLOB_MEM_HOST3D = 0x0002;
    public static final int VIRTGPU_BLOB_MEM_HOST3D_GUEST = 0x0003;
    public static final int VIRTGPU_BLOB_FLAG_USE_MAPPABLE = 0x0001;
    public static final int VIRTGPU_BLOB_FLAG_USE_SHAREABLE = 0x0002;
    public static final int VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE = 0x0004;

    /** drm_virtgpu_3d_wait.flags: fail with EBUSY at once instead of waiting. */
    public static final int VIRTGPU_WAIT_NOWAIT = 1;

    /** {@code drm_event.type} of a signalled fence on a ring in the context's POLL_RINGS_MASK. */
    public static final int VIRTGPU_EVENT_FENCE_SIGNALED = 0x90000000;

    /** Capset id of the cross-domain context type (rutabaga numbering; the kernel passes it through). */
    public static final int VIRTIO_GPU_CAPSET_CROSS_DOMAIN = 5;
}
