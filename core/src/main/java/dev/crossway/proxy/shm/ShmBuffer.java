package dev.crossway.proxy.shm;

import dev.crossway.proxy.Kernel;

/**
 * A {@code wl_buffer} made from a {@link ShmPool}: the same bytes in the client's pool and in the host
 * memory the pool had when the buffer was made, one to one. {@link #missing} is what the host copy
 * lacks of the client's content (everything, until the first copy).
 *
 * <p>Holds one use of its {@link HostMemory} and counts as a buffer of its pool until destroyed.
 */
final class ShmBuffer {
    final int id;
    final ShmPool pool;
    final HostMemory host;
    final int offset;
    final int width;
    final int height;
    final int stride;
    final int format;
    final int bpp;
    final Region missing = new Region();
    boolean destroyed;

    ShmBuffer(int id, ShmPool pool, int offset, int width, int height, int stride, int format, int bpp) {
        this.id = id;
        this.pool = pool;
        this.host = pool.host;
        this.offset = offset;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.format = format;
        this.bpp = bpp;
        host.retain();
        pool.buffers++;
        missing.setFull(width, height);
    }

    void destroy(Kernel kernel) {
        if (destroyed) {
            return;
        }
        destroyed = true;
        host.release();
        pool.bufferGone(kernel);
    }

    @Override
    public String toString() {
        return "wl_buffer@" + id + " " + width + "x" + height + " stride " + stride + " at " + offset;
    }
}
