package dev.crossway.bench;

import dev.crossway.linux.Fds;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The buffers of a shm workload, handed out the way a {@link Workloads.BufferPattern} says: rotating
 * in one pool, a new buffer every frame, or a new pool every frame. A buffer is handed out only after
 * its release; buffers no longer needed are destroyed once released, as careful clients do.
 */
final class ShmFrames {
    /** One wl_buffer: its pixels at {@code offset} of {@code pixels}; {@code isNew} until first committed. */
    static final class Buffer {
        final int id;
        final ByteBuffer pixels;
        final int offset;
        final int width;
        final int height;
        final int fd;
        boolean isNew = true;

        Buffer(int id, ByteBuffer pixels, int offset, int width, int height, int fd) {
            this.id = id;
            this.pixels = pixels;
            this.offset = offset;
            this.width = width;
            this.height = height;
            this.fd = fd;
        }
    }

    private final WaylandClient c;
    private final int shm;
    private final Set<Integer> released;
    private final Workloads.BufferPattern pattern;
    private final boolean sealed;
    private final List<Buffer> buffers = new ArrayList<>();
    private int pool;
    private int poolFd = -1;
    private ByteBuffer poolPixels;
    private int width;
    private int height;
    private int next;

    ShmFrames(WaylandClient c, int shm, Set<Integer> released, Workloads.BufferPattern pattern, boolean sealed) {
        this.c = c;
        this.sealed = sealed;
        this.shm = shm;
        this.released = released;
        this.pattern = pattern;
    }

    /** The buffer to draw the next frame of {@code width} x {@code height} into, once it is free. */
    Buffer next(int width, int height) throws IOException {
        if (width != this.width || height != this.height) {
            dropAll(false); // the next frame attaches a new buffer; the shown one need not be released first
            this.width = width;
            this.height = height;
        }
        int size = width * height * 4;
        switch (pattern) {
            case ROTATING, RESIZE -> {
                if (buffers.isEmpty()) {
                    newPool(2 * size);
                    for (int i = 0; i < 2; i++) {
                        buffers.add(inPool(i * size));
                    }
                }
                // Whichever is free: with early release both are, and the same one is reused.
                while (true) {
                    for (int i = 0; i < buffers.size(); i++) {
                        Buffer b = buffers.get((next + i) % buffers.size());
                        if (released.contains(b.id)) {
                            next = (next + i + 1) % buffers.size();
                            return b;
                        }
                    }
                    c.dispatch();
                }
            }
            case NEW_BUFFER -> {
                if (poolFd < 0) {
                    newPool(2 * size);
                }
                Buffer b = inPool((next++ % 2) * size);
                buffers.add(b);
                return b;
            }
            default -> {
                int fd = memfd("crossway-bench-frame", size);
                int p = c.newObject("wl_shm_pool");
                c.request(shm, "create_pool", p, Fds.dup(fd), size);
                int id = c.newObject("wl_buffer");
                c.request(p, "create_buffer", id, 0, width, height, width * 4, 1);
                c.request(p, "destroy");
                Buffer b = new Buffer(id, Fds.map(fd, size, true), 0, width, height, fd);
                buffers.add(b);
                return b;
            }
        }
    }

    /** After the frame of {@code b}: buffers of earlier frames that the pattern does not reuse go, once released. */
    void committed(Buffer b) throws IOException {
        b.isNew = false;
        if (pattern == Workloads.BufferPattern.NEW_BUFFER || pattern == Workloads.BufferPattern.NEW_POOL) {
            for (Buffer old : new ArrayList<>(buffers)) {
                if (old != b) {
                    destroy(old, true);
                }
            }
        }
    }

    private void newPool(int size) throws IOException {
        poolFd = memfd("crossway-bench", size);
        poolPixels = Fds.map(poolFd, size, true);
        pool = c.newObject("wl_shm_pool");
        c.request(shm, "create_pool", pool, Fds.dup(poolFd), size);
    }

    /** A pool's memfd, sealed against shrinking as weston's os_create_anonymous_file does when {@link #sealed}. */
    private int memfd(String name, int size) throws IOException {
        int fd = Fds.memfd(name, size);
        if (sealed && Native.libc().fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK) != 0) {
            Fds.close(fd);
            throw new IOException("cannot seal the pool memfd: errno " + Native.errno());
        }
        return fd;
    }

    private Buffer inPool(int offset) throws IOException {
        int id = c.newObject("wl_buffer");
        c.request(pool, "create_buffer", id, offset, width, height, width * 4, 1);
        released.add(id);
        return new Buffer(id, poolPixels, offset, width, height, -1);
    }

    private void destroy(Buffer b, boolean awaitRelease) throws IOException {
        while (awaitRelease && !released.contains(b.id)) {
            c.dispatch();
        }
        c.request(b.id, "destroy");
        buffers.remove(b);
        if (b.fd >= 0) {
            Fds.unmap(b.pixels);
            Fds.close(b.fd);
        }
    }

    private void dropAll(boolean awaitRelease) throws IOException {
        for (Buffer b : new ArrayList<>(buffers)) {
            destroy(b, awaitRelease);
        }
        if (poolFd >= 0) {
            c.request(pool, "destroy");
            Fds.unmap(poolPixels);
            Fds.close(poolFd);
            poolFd = -1;
        }
    }

    /** Destroys every buffer and pool left; the compositor may still hold the last one shown, which ends with the window. */
    void close() throws IOException {
        dropAll(false);
        c.flush();
    }
}
