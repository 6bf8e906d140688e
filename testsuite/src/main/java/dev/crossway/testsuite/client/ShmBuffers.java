package dev.crossway.testsuite.client;

import dev.crossway.linux.Fds;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shm buffers of one surface, handed out the way a {@link Pattern} says, as careful clients do: a
 * buffer is handed out only once the compositor released it, and buffers no longer needed are destroyed
 * once released. Each buffer knows what it missed since it was last drawn (buffer age), so a client
 * redraws only that. A new size drops every buffer (the shown one need not be released first: the next
 * commit attaches a new one).
 */
public final class ShmBuffers implements AutoCloseable {
    /** How a client gets the buffer for each frame. */
    public enum Pattern {
        /** Two buffers in one pool, taken in turn. */
        TWO_ROTATING,
        /** Three buffers in one pool, taken in turn. */
        THREE_ROTATING,
        /** A new wl_buffer every frame over one pool, the previous one destroyed once released. */
        NEW_BUFFER_EVERY_FRAME,
        /** A new wl_shm_pool and wl_buffer every frame (the pool destroyed at once), as GTK3 draws. */
        NEW_POOL_EVERY_FRAME;

        /** {@code two-rotating} or {@code TWO_ROTATING}. */
        public static Pattern of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** One wl_buffer: its pixels at {@code offset} of {@code pixels}, and the rectangles it lacks of the picture. */
    public static final class Buffer {
        public final int id;
        public final ByteBuffer pixels;
        public final int offset;
        public final int width;
        public final int height;
        final int fd;
        /** Rectangles {@code x, y, w, h} that changed since this buffer was last drawn; the whole buffer when new. */
        public final List<int[]> missed = new ArrayList<>();
        /** True until first committed. */
        public boolean isNew = true;

        Buffer(int id, ByteBuffer pixels, int offset, int width, int height, int fd) {
            this.id = id;
            this.pixels = pixels;
            this.offset = offset;
            this.width = width;
            this.height = height;
            this.fd = fd;
            missed.add(new int[] {0, 0, width, height});
        }

        public int stride() {
            return width * 4;
        }
    }

    private final WaylandClient c;
    private final int shm;
    private final Pattern pattern;
    private final List<Buffer> buffers = new ArrayList<>();
    private boolean sealed = true;
    private boolean anyReleased;
    private long minPoolSize;
    private int pool;
    private int poolFd = -1;
    private ByteBuffer poolPixels;
    private int width;
    private int height;
    private int next;

    /** Buffers of {@code pattern} from the {@code wl_shm} bound as {@code shm}. */
    public ShmBuffers(WaylandClient c, int shm, Pattern pattern) {
        this.c = c;
        this.shm = shm;
        this.pattern = pattern;
    }

    /**
     * Pools are memfds sealed against shrinking, as weston's, foot's and libwayland-cursor's are, when
     * {@code sealed} (the default); plain memfds otherwise.
     */
    public ShmBuffers sealed(boolean sealed) {
        this.sealed = sealed;
        return this;
    }

    /**
     * Rotating buffers are taken whichever is released first, not in turn: with a compositor (or Crossway)
     * that releases early, one buffer serves every frame.
     */
    public ShmBuffers anyReleased(boolean anyReleased) {
        this.anyReleased = anyReleased;
        return this;
    }

    /** Pools are made at least {@code bytes} large (rotating and new-buffer patterns), as foot's 512 MiB pool is; the file stays sparse. */
    public ShmBuffers minPoolSize(long bytes) {
        this.minPoolSize = bytes;
        return this;
    }

    /**
     * The buffer for the next frame of {@code width} x {@code height}, once it is free; {@code damage}
     * ({@code x, y, w, h}) is what this frame changes, added to what every buffer missed.
     */
    public Buffer next(int width, int height, int[] damage) throws IOException {
        if (width != this.width || height != this.height) {
            dropAll();
            this.width = width;
            this.height = height;
        }
        for (Buffer b : buffers) {
            b.missed.add(damage);
        }
        Buffer b = take();
        c.attached(b.id);
        return b;
    }

    private Buffer take() throws IOException {
        int size = width * height * 4;
        switch (pattern) {
            case TWO_ROTATING, THREE_ROTATING -> {
                int count = pattern == Pattern.TWO_ROTATING ? 2 : 3;
                if (buffers.isEmpty()) {
                    newPool((long) count * size);
                    for (int i = 0; i < count; i++) {
                        buffers.add(inPool(i * size));
                    }
                }
                if (!anyReleased) {
                    Buffer b = buffers.get(next++ % count);
                    c.awaitRelease(b.id);
                    return b;
                }
                c.flush();
                while (true) {
                    for (int i = 0; i < count; i++) {
                        Buffer b = buffers.get((next + i) % count);
                        if (c.isReleased(b.id)) {
                            next = (next + i + 1) % count;
                            return b;
                        }
                    }
                    c.dispatch();
                }
            }
            case NEW_BUFFER_EVERY_FRAME -> {
                if (poolFd < 0) {
                    newPool(2L * size);
                }
                Buffer b = inPool((next++ % 2) * size);
                buffers.add(b);
                return b;
            }
            default -> {
                int fd = memfd("crossway-test-frame", size);
                int p = c.newObject("wl_shm_pool");
                c.request(shm, "create_pool", p, Fds.dup(fd), size);
                int id = c.newObject("wl_buffer");
                c.request(p, "create_buffer", id, 0, width, height, width * 4, 1 /* xrgb8888 */);
                c.request(p, "destroy");
                Buffer b = new Buffer(id, Fds.map(fd, size, true).order(ByteOrder.LITTLE_ENDIAN), 0, width, height, fd);
                buffers.add(b);
                return b;
            }
        }
    }

    /** After the commit of {@code b}: it misses nothing, and buffers the pattern does not reuse go once released. */
    public void committed(Buffer b) throws IOException {
        b.isNew = false;
        b.missed.clear();
        if (pattern == Pattern.NEW_BUFFER_EVERY_FRAME || pattern == Pattern.NEW_POOL_EVERY_FRAME) {
            for (Buffer old : new ArrayList<>(buffers)) {
                if (old != b) {
                    c.awaitRelease(old.id);
                    destroy(old);
                }
            }
        }
    }

    /**
     * What a hostile client does: shrinks the file behind the pool of the last buffer to nothing. Returns
     * that buffer, for the client to commit again.
     */
    public Buffer shrinkPool() throws IOException {
        Buffer b = buffers.get(buffers.size() - 1);
        int fd = b.fd >= 0 ? b.fd : poolFd;
        if (Native.libc().ftruncate(fd, 0) != 0) {
            throw new IOException("ftruncate failed: errno " + Native.errno());
        }
        return b;
    }

    private void newPool(long size) throws IOException {
        long poolSize = Math.max(size, minPoolSize);
        poolFd = memfd("crossway-test-pool", poolSize);
        poolPixels = Fds.map(poolFd, size, true).order(ByteOrder.LITTLE_ENDIAN); // only the part drawn into
        pool = c.newObject("wl_shm_pool");
        c.request(shm, "create_pool", pool, Fds.dup(poolFd), Math.toIntExact(poolSize));
    }

    /** A pool's memfd, sealed against shrinking when {@link #sealed}. */
    private int memfd(String name, long size) throws IOException {
        int fd = Fds.memfd(name, size);
        if (sealed && Native.libc().fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK) != 0) {
            Fds.close(fd);
            throw new IOException("cannot seal the pool memfd: errno " + Native.errno());
        }
        return fd;
    }

    private Buffer inPool(int offset) throws IOException {
        int id = c.newObject("wl_buffer");
        c.request(pool, "create_buffer", id, offset, width, height, width * 4, 1 /* xrgb8888 */);
        c.free(id);
        return new Buffer(id, poolPixels, offset, width, height, -1);
    }

    private void destroy(Buffer b) throws IOException {
        destroy(b, true);
    }

    private void destroy(Buffer b, boolean tell) throws IOException {
        if (tell) {
            c.request(b.id, "destroy");
        }
        buffers.remove(b);
        if (b.fd >= 0) {
            Fds.unmap(b.pixels);
            Fds.close(b.fd);
        }
    }

    private void dropAll() throws IOException {
        dropAll(true);
    }

    /** Destroys every buffer and the pool; only on this side when not {@code tell}. */
    private void dropAll(boolean tell) throws IOException {
        for (Buffer b : new ArrayList<>(buffers)) {
            destroy(b, tell);
        }
        if (poolFd >= 0) {
            if (tell) {
                c.request(pool, "destroy");
            }
            Fds.unmap(poolPixels);
            Fds.close(poolFd);
            poolFd = -1;
        }
        next = 0;
    }

    /** Unmaps and closes this side of every buffer without a word to the compositor: for a connection that is gone. */
    public void forget() throws IOException {
        dropAll(false);
    }

    /** Destroys every buffer and pool left; the compositor may still hold the last one shown, which ends with the window. */
    @Override
    public void close() throws IOException {
        dropAll();
        c.flush();
    }
}
