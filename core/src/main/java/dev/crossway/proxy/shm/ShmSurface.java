package dev.crossway.proxy.shm;

import java.util.ArrayList;
import java.util.List;

/**
 * What the shm mirror tracks of one {@code wl_surface}: the double-buffered state that decides which
 * pixels a commit changes, the client buffer it shows, and its own queue of host buffers.
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
    int pendingX;
    int pendingY;
    final Region pendingSurfaceDamage = new Region();
    final Region pendingBufferDamage = new Region();
    int pendingScale = -1;
    int pendingTransform = -1;
    Viewport pendingViewport = Viewport.NONE;

    // Current state.
    /** The client's shm buffer the surface shows, or null. */
    ShmBuffer buffer;
    int scale = 1;
    int transform;
    Viewport viewport = Viewport.NONE;
    /** Converts damage for the current buffer; remade only when what it depends on changes. */
    SurfaceGeometry geometry;
    /** Host buffers of this surface: busy ones the host holds, free ones kept for the next commits. */
    final List<HostShmBuffer> hostBuffers = new ArrayList<>(3);

    volatile long commits;
    volatile long bytesCopied;
    volatile long bytesDamaged;

    ShmSurface(int id) {
        this.id = id;
    }

    /** The geometry for buffer {@code b} under the current scale, transform and viewport. */
    SurfaceGeometry geometry(ShmBuffer b) {
        SurfaceGeometry g = geometry;
        if (g == null || g.bufferWidth() != b.width || g.bufferHeight() != b.height || g.scale() != scale
                || g.transform() != transform || !g.viewport().equals(viewport)) {
            g = new SurfaceGeometry(b.width, b.height, scale, transform, viewport);
            geometry = g;
        }
        return g;
    }

    ShmStats.Surface stats() {
        return new ShmStats.Surface(id, commits, bytesCopied, bytesDamaged, hostBuffers.size());
    }
}
