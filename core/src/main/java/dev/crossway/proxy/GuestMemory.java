package dev.crossway.proxy;

import java.nio.ByteBuffer;

/**
 * A client's shm pool as Crossway reads it: rows of pixels are copied out of it into host memory, and
 * nothing the client does to the file behind it (shrinking it, punching holes) can make Crossway fault.
 * A copy either succeeds or reports that the file is now too short.
 *
 * <p>Opened by {@link Kernel#openGuestMemory}, which picks how to read safely (the native layer knows
 * which files can be mapped without risk). Owns the client's fd. Used by one thread at a time.
 *
 * <p>Deliberately absent: writing (Crossway never writes into a client's pool) and any view of the
 * memory itself, which could fault.
 */
public interface GuestMemory extends AutoCloseable {

    /** The pool's size as the client declared it. */
    long size();

    /**
     * Grows the pool ({@code wl_shm_pool.resize}); {@code mayMap} as for {@link Kernel#openGuestMemory}.
     *
     * @throws java.io.IOException when the file behind it is smaller than {@code size}
     */
    void resize(long size, boolean mayMap) throws java.io.IOException;

    /** Bytes of this pool mapped into the daemon (0 when it is read without a mapping): memory it may fault in. */
    long mappedBytes();

    /**
     * Copies {@code rows} rows of {@code rowBytes} bytes, the first at {@code offset} and each
     * {@code stride} bytes after the previous, into {@code dst} (a direct buffer of host memory) at
     * {@code dstOffset}, {@code dstStride} bytes apart. The caller keeps the rows inside {@link #size()}.
     *
     * @return false when the file behind the pool no longer holds those rows (the client shrank it);
     *     {@code dst} may then be partly written
     */
    boolean copyRows(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride);

    /**
     * Copies the pixels of {@code rects} (of {@code bpp} bytes each) of a buffer laid out at {@code offset} with
     * {@code stride} bytes per row into {@code dst} at the same pixel positions, {@code dstStride} bytes per row
     * from byte 0. The caller keeps the rectangles inside the buffer and the buffer inside {@link #size()}. An
     * implementation may copy them all in one system call; this one calls {@link #copyRows} per rectangle.
     *
     * @return false as {@link #copyRows} returns it
     */
    default boolean copyRects(long offset, int stride, int bpp, Rectangles rects, ByteBuffer dst, int dstStride) {
        for (int i = 0; i < rects.size(); i++) {
            int x = rects.x(i) * bpp;
            int y = rects.y(i);
            if (!copyRows(offset + (long) y * stride + x, stride, rects.width(i) * bpp, rects.height(i), dst,
                    y * dstStride + x, dstStride)) {
                return false;
            }
        }
        return true;
    }

    /** Rectangles of pixels that do not overlap, each with a width and height above 0. */
    interface Rectangles {
        int size();

        int x(int i);

        int y(int i);

        int width(int i);

        int height(int i);
    }

    /** How this pool is read, for logs: e.g. {@code "mapped (sealed memfd)"} or {@code "pread"}. */
    String method();

    /** Releases the fd and any mapping; idempotent. */
    @Override
    void close();
}
