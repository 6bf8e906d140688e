package dev.crossway.proxy.shm;

import java.util.ArrayList;
import java.util.List;

/**
 * What the shm mirror tracks of one {@code wl_surface}: the double-buffered state that decides which
 * buffer pixels a commit changes, the buffers it has shown, and its counters.
 *
 * <p>Written only on the request relay thread; the counters are volatile so tests and the summary can
 * read them from elsewhere.
 */
final class ShmSurface {
    final int id;

    // Pending state, applied by commit.
    boolean attachPending;
    /** The shm buffer attached, or null for a null or non-shm buffer. */
    ShmBuffer pendingBuffer;
    final Region pendingSurfaceDamage = new Region();
    final Region pendingBufferDamage = new Region();
    int pendingScale = -1;
    int pendingTransform = -1;
    Viewport pendingViewport = Viewport.NONE;

    // Current state.
    ShmBuffer buffer;
    int scale = 1;
    int transform;
    Viewport viewport = Viewport.NONE;
    /** Buffers this surface has shown: each one misses what later commits of other buffers changed. */
    final List<ShmBuffer> seen = new ArrayList<>(3);

    volatile long commits;
    volatile long bytesCopied;
    volatile long bytesDamaged;

    ShmSurface(int id) {
        this.id = id;
    }

    ShmStats.Surface stats() {
        return new ShmStats.Surface(id, commits, bytesCopied, bytesDamaged);
    }
}
