package dev.crossway.proxy.shm;

import java.nio.ByteBuffer;

/** Row-wise copies of the pixels in a {@link Region}, from guest memory to host memory. */
public final class ShmCopy {
    private ShmCopy() {
    }

    /**
     * Copies the pixels of {@code region} of a buffer laid out at {@code offset} with {@code stride}
     * bytes per row and {@code bpp} bytes per pixel, from {@code src} to the same place in {@code dst}.
     * Absolute bulk copies only: neither buffer's position moves and nothing is allocated. The region
     * must lie inside the buffer.
     *
     * @return bytes copied
     */
    public static long copy(ByteBuffer src, ByteBuffer dst, int offset, int stride, int bpp, Region region) {
        long copied = 0;
        for (int i = 0; i < region.size(); i++) {
            int rowBytes = region.width(i) * bpp;
            int rows = region.height(i);
            int start = offset + region.y(i) * stride + region.x(i) * bpp;
            if (rowBytes == stride) {
                // Whole rows with no padding: one contiguous block.
                dst.put(start, src, start, rowBytes * rows);
            } else {
                for (int r = 0; r < rows; r++) {
                    int at = start + r * stride;
                    dst.put(at, src, at, rowBytes);
                }
            }
            copied += (long) rowBytes * rows;
        }
        return copied;
    }
}
