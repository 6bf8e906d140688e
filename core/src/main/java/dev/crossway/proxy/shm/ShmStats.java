package dev.crossway.proxy.shm;

/**
 * Counters of the shm mirror of one session.
 *
 * @param commits         {@code wl_surface.commit}s seen
 * @param bytesCopied     bytes copied from client pools into host memory
 * @param bytesDamaged    bytes the commits declared changed, clipped to their buffers
 * @param liveHostBuffers host buffers allocated and not yet freed
 * @param hostBytes       host memory those buffers hold
 * @param earlyReleases   {@code wl_buffer.release}s Crossway sent right after copying
 * @param keymapsCopied   {@code wl_keyboard.keymap}s copied into sealed guest memfds
 */
public record ShmStats(long commits, long bytesCopied, long bytesDamaged, int liveHostBuffers, long hostBytes, long earlyReleases,
                       long keymapsCopied) {

    /** Counters of one surface. */
    public record Surface(int surfaceId, long commits, long bytesCopied, long bytesDamaged, int hostBuffers) {
    }

    /**
     * For the session summary: {@code shm 12 commits, 4096 B copied of 4096 B damaged, 2 host buffers
     * (16588800 B), 12 early releases}.
     */
    public String summary() {
        return "shm " + commits + " commits, " + bytesCopied + " B copied of " + bytesDamaged + " B damaged, "
                + liveHostBuffers + " host buffers (" + hostBytes + " B), " + earlyReleases + " early releases"
                + (keymapsCopied > 0 ? ", " + keymapsCopied + " keymaps copied" : "");
    }
}
