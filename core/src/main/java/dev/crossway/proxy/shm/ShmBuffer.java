package dev.crossway.proxy.shm;

/**
 * A client's {@code wl_buffer} made from a {@link ShmPool}: a rectangle of the pool's pixels. It never
 * reaches the host; surfaces that show it get host buffers of their own ({@link HostShmBuffer}).
 *
 * <p>Crossway releases it to the client itself ({@code wl_buffer.release}) as soon as a commit has
 * copied what the host lacked, unless another surface still has it attached and uncommitted.
 * Request relay thread only.
 */
final class ShmBuffer {
    final int id;
    final ShmPool pool;
    final int offset;
    final int width;
    final int height;
    final int stride;
    final int format;
    final int bpp;
    /** Surfaces it is attached to whose commit has not come yet. */
    int pendingOn;
    /** Released to the client since it was last attached. */
    boolean released = true;
    boolean destroyed;

    ShmBuffer(int id, ShmPool pool, int offset, int width, int height, int stride, int format, int bpp) {
        this.id = id;
        this.pool = pool;
        this.offset = offset;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.format = format;
        this.bpp = bpp;
        pool.buffers++;
    }

    @Override
    public String toString() {
        return "wl_buffer@" + id + " " + width + "x" + height + " stride " + stride + " at " + offset + " of " + pool;
    }
}
