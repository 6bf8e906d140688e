package dev.crossway.proxy.shm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.proxy.GuestMemory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShmCopyTest {

    /** A pool over a heap buffer, copied with absolute bulk puts, whose file can be cut short. */
    static final class BufferGuestMemory implements GuestMemory {
        ByteBuffer file;

        BufferGuestMemory(ByteBuffer file) {
            this.file = file;
        }

        @Override
        public long size() {
            return file.capacity();
        }

        @Override
        public void resize(long size, boolean mayMap) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long mappedBytes() {
            return 0;
        }

        @Override
        public boolean copyRows(long offset, int stride, int rowBytes, int rows, ByteBuffer dst, int dstOffset, int dstStride) {
            return HeapRows.copy(file, offset, stride, rowBytes, rows, dst, dstOffset, dstStride);
        }

        @Override
        public String method() {
            return "heap";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void copiesExactlyTheRegionIntoTheDestinationsOwnStride() {
        int width = 20;
        int height = 10;
        int stride = 96; // 24 pixels: padding after each row
        int offset = 64;
        int dstStride = width * 4;
        ByteBuffer src = ByteBuffer.allocate(offset + stride * height);
        new Random(1).nextBytes(src.array());
        ByteBuffer dst = ByteBuffer.allocateDirect(dstStride * height);
        Region r = new Region();
        r.add(3, 2, 5, 4);
        r.add(19, 9, 1, 1);
        long copied = ShmCopy.copy(new BufferGuestMemory(src), offset, stride, dst, dstStride, 4, r);
        assertThat(copied).isEqualTo((5 * 4 + 1) * 4L);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean in = r.contains(x, y);
                assertThat(dst.getInt(y * dstStride + x * 4)).as("pixel %d,%d", x, y)
                        .isEqualTo(in ? src.getInt(offset + y * stride + x * 4) : 0);
            }
        }
        assertThat(src.position()).isZero();
        assertThat(dst.position()).isZero();
    }

    @Test
    void wholeRowsArriveIntact() {
        ByteBuffer src = ByteBuffer.allocate(16 * 8 * 2);
        new Random(2).nextBytes(src.array());
        ByteBuffer dst = ByteBuffer.allocate(src.capacity());
        Region r = new Region();
        r.add(0, 2, 8, 3);
        assertThat(ShmCopy.copy(new BufferGuestMemory(src), 0, 16, dst, 16, 2, r)).isEqualTo(16 * 3);
        assertThat(Arrays.copyOfRange(dst.array(), 32, 80)).isEqualTo(Arrays.copyOfRange(src.array(), 32, 80));
        assertThat(dst.get(31)).isZero();
        assertThat(dst.get(80)).isZero();
    }

    @Test
    void aPoolCutShortReportsFailureInsteadOfCopying() {
        BufferGuestMemory pool = new BufferGuestMemory(ByteBuffer.allocate(64 * 4));
        pool.file = ByteBuffer.allocate(10 * 4);
        Region r = new Region();
        r.setFull(8, 8);
        assertThat(ShmCopy.copy(pool, 0, 32, ByteBuffer.allocate(64 * 4), 32, 4, r)).isEqualTo(-1);
    }
}
