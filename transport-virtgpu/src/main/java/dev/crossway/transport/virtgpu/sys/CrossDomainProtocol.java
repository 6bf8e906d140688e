package dev.crossway.transport.virtgpu.sys;

/**
 * Numbers of crosvm's cross-domain protocol ({@code rutabaga_gfx src/cross_domain/cross_domain_protocol.rs},
 * Sommelier {@code virtgpu_cross_domain_protocol.h}), with their upstream names. Constants only.
 */
public final class CrossDomainProtocol {
    private CrossDomainProtocol() {
    }

    // CrossDomainHeader.cmd
    public static final int CROSS_DOMAIN_CMD_INIT = 1;
    public static final int CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS = 2;
    public static final int CROSS_DOMAIN_CMD_POLL = 3;
    public static final int CROSS_DOMAIN_CMD_SEND = 4;
    public static final int CROSS_DOMAIN_CMD_RECEIVE = 5;
    public static final int CROSS_DOMAIN_CMD_READ = 6;
    public static final int CROSS_DOMAIN_CMD_WRITE = 7;

    /** {@code channel_type} in INIT; the capset reports it as bit {@code 1 << type}. */
    public static final int CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND = 1;

    // identifier_types[]
    public static final int CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB = 1;
    public static final int CROSS_DOMAIN_ID_TYPE_VIRTGPU_SYNC = 2;
    public static final int CROSS_DOMAIN_ID_TYPE_READ_PIPE = 3;
    public static final int CROSS_DOMAIN_ID_TYPE_WRITE_PIPE = 4;

    // Rings: ring_idx values for EXECBUFFER (fence timelines).
    public static final int CROSS_DOMAIN_QUERY_RING = 0;
    public static final int CROSS_DOMAIN_CHANNEL_RING = 1;
    /** Rings a cross-domain context is created with. */
    public static final int CROSS_DOMAIN_NUM_RINGS = 2;

    /** Identifiers per SEND/RECEIVE on hosts since crosvm 03c5118df (2024-02-05). */
    public static final int CROSS_DOMAIN_MAX_IDENTIFIERS = 28;
    /** Identifiers per SEND/RECEIVE on older hosts. */
    public static final int CROSS_DOMAIN_MAX_IDENTIFIERS_LEGACY = 4;
    /** Read-pipe ids are pre-incremented from here: the first is 0x80000001. */
    public static final int CROSS_DOMAIN_PIPE_READ_START = 0x80000000;

    /** The host's socket read buffer: SEND/RECEIVE struct plus data never exceeds it. */
    public static final int CROSS_DOMAIN_DEFAULT_BUFFER_SIZE = 4096;
    /** Wayland bytes one RECEIVE (and one SEND, as Sommelier enforces) carries: 4096 - 352. */
    public static final int CROSS_DOMAIN_MAX_SEND_RECEIVE_DATA = 3744;
    /** Pipe bytes per WRITE, Sommelier's limit: 4096 - 24. */
    public static final int CROSS_DOMAIN_MAX_WRITE_DATA = 4072;

    // DRM fourcc and gbm-style usage flags for GET_IMAGE_REQUIREMENTS.
    /** {@code DRM_FORMAT_R8}, fourcc 'R8  '. */
    public static final int DRM_FORMAT_R8 = 0x20203852;
    public static final int GBM_BO_USE_SCANOUT = 0x1;
    public static final int GBM_BO_USE_LINEAR = 0x10;
}
