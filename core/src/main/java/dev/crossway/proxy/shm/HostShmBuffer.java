package dev.crossway.proxy.shm;

import dev.crossway.spi.HostBuffer;
import java.nio.ByteBuffer;

/**
 * One of Crossway's own {@code wl_buffer}s on the host: host memory holding a copy of what a surface
 * shows, reused from commit to commit. {@link #missing} is where it differs from the surface's current
 * content: every commit's damage is added to every host buffer of the surface, and the one chosen for
 * a commit gets exactly what it misses.
 *
 * <p>Busy from the commit that attaches it until the host's {@code wl_buffer.release}, which Crossway
 * consumes. Ownership: owns its host memory, freed by {@link #free()}.
 */
final class HostShmBuffer {
    /** Crossway's own id for the host's wl_buffer. */
    final int id;
    final HostBuffer memory;
    /** The mapping, made once: written with absolute puts only. */
    final ByteBuffer pixels;
    final int width;
    final int height;
    final int stride;
    final int format;
    final Region missing = new Region();
    /** Written by the event relay (release), read by the request relay. */
    volatile boolean busy;

    HostShmBuffer(int id, HostBuffer memory, int width, int height, int stride, int format) {
        this.id = id;
        this.memory = memory;
        this.pixels = memory.memory();
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.format = format;
        missing.setFull(width, height);
    }

    boolean fits(ShmBuffer b) {
        return b.width == width && b.height == height && b.format == format;
    }

    long bytes() {
        return (long) stride * height;
    }

    void free() {
        memory.close();
    }

    @Override
    public String toString() {
        return "host wl_buffer@" + Integer.toUnsignedString(id) + " " + width + "x" + height + (busy ? " (busy)" : "");
    }
}
