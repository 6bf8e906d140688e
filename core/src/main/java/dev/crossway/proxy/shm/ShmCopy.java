package dev.crossway.proxy.shm;

import dev.crossway.proxy.GuestMemory;
import java.nio.ByteBuffer;

/** Copies of the pixels in a {@link Region}, from a client's pool into host memory. */
public final class ShmCopy {
    private ShmCopy() {
    }

    /**
     * Copies the pixels of {@code region} of a buffer laid out in {@code src} at {@code offset} with
     * {@code stride} bytes per row, into {@code dst} at the same pixel positions with {@code dstStride}
     * bytes per row from byte 0. The region must lie inside the buffer. Allocates nothing.
     *
     * @return bytes copied, or -1 when the pool's file no longer holds them (the client shrank it)
     */
    public static long copy(GuestMemory src, int offset, int stride, ByteBuffer dst, int dstStride, int bpp, Region region) {
        return src.copyRects(offset, stride, bpp, region, dst, dstStride) ? region.area() * bpp : -1;
    }
}
