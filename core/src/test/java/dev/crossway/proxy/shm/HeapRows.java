package dev.crossway.proxy.shm;

import java.nio.ByteBuffer;

/** The row copy of a {@link dev.crossway.proxy.GuestMemory} over a heap file, for the in-memory kernels of tests. */
public final class HeapRows {
    private HeapRows() {
    }

    /** As {@link dev.crossway.proxy.GuestMemory#copyRows}, from {@code file}: false when it no longer holds the rows. */
    public static boolean copy(ByteBuffer file, long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset,
                               int dstStride) {
        if (offset + (long) (rows - 1) * stride + rowBytes > file.capacity()) {
            return false;
        }
        for (int r = 0; r < rows; r++) {
            dst.put(dstOffset + r * dstStride, file, (int) offset + r * stride, rowBytes);
        }
        return true;
    }
}
