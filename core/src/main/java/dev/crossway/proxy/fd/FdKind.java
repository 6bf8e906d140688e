package dev.crossway.proxy.fd;

/**
 * What an fd in a Wayland message is, as its protocol defines it. The kind decides how the fd can cross
 * to a host behind another kernel ({@link FdTranslation}); nothing ever finds it out from the fd itself.
 */
public enum FdKind {
    /** Memory the sender draws into and the receiver maps ({@code wl_shm.create_pool}). */
    SHM_POOL,
    /** Read-only memory the receiver maps privately ({@code wl_keyboard.keymap}). */
    KEYMAP,
    /** A read-only table the receiver maps ({@code zwp_linux_dmabuf_feedback_v1.format_table}). */
    FORMAT_TABLE,
    /** The read end of a pipe: the receiver reads what the sender's side writes. */
    PIPE_READ_END,
    /** The write end of a pipe: the receiver writes what the sender's side reads (clipboard transfers). */
    PIPE_WRITE_END,
    /**
     * A file of bytes the receiver reads or maps as a whole: an ICC profile, a gamma table, a wallpaper.
     * Crossway copies none of these across a VM boundary yet.
     */
    DATA_FILE,
    /** A GPU buffer ({@code zwp_linux_buffer_params_v1.add}). */
    DMABUF,
    /** A fence ({@code sync_file}) of explicit synchronisation. */
    SYNC_FILE,
    /** A DRM sync object timeline. */
    SYNCOBJ,
    /** A DRM device or lease. */
    DRM_DEVICE,
    /** A listening socket ({@code wp_security_context_manager_v1}). */
    SOCKET;

    public boolean isPipe() {
        return this == PIPE_READ_END || this == PIPE_WRITE_END;
    }
}
