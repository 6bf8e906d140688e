package dev.crossway.proxy.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShmCopyTest {

    @Test
    void copiesExactlyTheRegionRowByRow() {
        int width = 20;
        int height = 10;
        int stride = 96; // 24 pixels: padding after each row
        int offset = 64;
        ByteBuffer src = ByteBuffer.allocate(offset + stride * height);
        new Random(1).nextBytes(src.array());
        ByteBuffer dst = ByteBuffer.allocateDirect(src.capacity());
        Region r = new Region();
        r.add(3, 2, 5, 4);
        r.add(19, 9, 1, 1);
        long copied = ShmCopy.copy(src.asReadOnlyBuffer(), dst, offset, stride, 4, r);
        assertThat(copied).isEqualTo((5 * 4 + 1) * 4L);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < stride / 4; x++) {
                int at = offset + y * stride + x * 4;
                boolean in = x < width && r.contains(x, y);
                assertThat(dst.getInt(at)).as("pixel %d,%d", x, y).isEqualTo(in ? src.getInt(at) : 0);
            }
        }
        assertThat(src.position()).isZero();
        assertThat(dst.position()).isZero();
    }

    @Test
    void wholeRowsWithoutPaddingAreOneBlock() {
        ByteBuffer src = ByteBuffer.allocate(16 * 8 * 2);
        new Random(2).nextBytes(src.array());
        ByteBuffer dst = ByteBuffer.allocate(src.capacity());
        Region r = new Region();
        r.add(0, 2, 8, 3);
        assertThat(ShmCopy.copy(src, dst, 0, 16, 2, r)).isEqualTo(16 * 3);
        assertThat(Arrays.copyOfRange(dst.array(), 32, 80)).isEqualTo(Arrays.copyOfRange(src.array(), 32, 80));
        assertThat(dst.get(31)).isZero();
        assertThat(dst.get(80)).isZero();
    }

    /**
     * Not a benchmark with a verdict: prints the median time of a full 1920x1080 XRGB8888 copy between
     * direct buffers (what the relay does, guest mapping to host mapping) next to this machine's bulk
     * copy bandwidth, so the figures land in the build log.
     */
    @Test
    void printsFullFrameCopyTimeAndMemcpyBandwidth() {
        int width = 1920;
        int height = 1080;
        int stride = width * 4;
        int size = stride * height;
        ByteBuffer src = ByteBuffer.allocateDirect(size);
        ByteBuffer dst = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i += 4096) {
            src.put(i, (byte) i);
            dst.put(i, (byte) 1);
        }
        Region full = new Region();
        full.setFull(width, height);
        Region rows = new Region(); // one row short of full width: forces the row-by-row path
        rows.setFull(width - 1, height);
        int n = 41;
        long[] frame = new long[n];
        long[] rowWise = new long[n];
        long[] bulk = new long[n];
        ByteBuffer src8 = ByteBuffer.allocateDirect(8 << 20);
        ByteBuffer dst8 = ByteBuffer.allocateDirect(8 << 20);
        for (int i = 0; i < n + 10; i++) {
            long t0 = System.nanoTime();
            ShmCopy.copy(src, dst, 0, stride, 4, full);
            long t1 = System.nanoTime();
            ShmCopy.copy(src, dst, 0, stride, 4, rows);
            long t2 = System.nanoTime();
            dst8.put(0, src8, 0, 8 << 20);
            long t3 = System.nanoTime();
            if (i >= 10) { // warm-up
                frame[i - 10] = t1 - t0;
                rowWise[i - 10] = t2 - t1;
                bulk[i - 10] = t3 - t2;
            }
        }
        assertThat(dst.get(4096)).isEqualTo(src.get(4096));
        double frameMs = median(frame) / 1e6;
        double rowMs = median(rowWise) / 1e6;
        double gibPerS = (8 << 20) / (median(bulk) / 1e9) / (1 << 30);
        System.out.printf("[shm copy] full 1920x1080 XRGB8888 frame (%d B): median %.3f ms over %d copies (%.2f GiB/s); "
                        + "row by row (1919 px rows): %.3f ms%n", size, frameMs, n, size / (frameMs / 1e3) / (1 << 30), rowMs);
        System.out.printf("[shm copy] memcpy bandwidth, 8 MiB direct ByteBuffer bulk copy: median %.3f ms = %.2f GiB/s%n",
                median(bulk) / 1e6, gibPerS);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
