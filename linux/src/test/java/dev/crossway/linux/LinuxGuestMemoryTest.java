package dev.crossway.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.proxy.GuestMemory;
import dev.crossway.proxy.shm.Region;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A client's pool read through real files: pixels arrive, and a file that shrank cannot fault the JVM. */
class LinuxGuestMemoryTest {
    static final int W = 64;
    static final int H = 32;
    static final int STRIDE = W * 4 + 16;

    /** A client's pool memfd with a known pattern; sealed against shrinking, as weston and foot do, or not. */
    static int pool(boolean seal) throws Exception {
        return pool((long) STRIDE * H, seal);
    }

    /** A pool of {@code size} bytes whose int at byte {@code i} is {@code i * 31}. */
    static int pool(long size, boolean seal) throws Exception {
        int fd = Fds.memfd("guest-memory-test", size);
        ByteBuffer m = Fds.map(fd, size, true);
        for (int i = 0; i < size; i += 4) {
            m.putInt(i, i * 31);
        }
        Fds.unmap(m);
        if (seal) {
            assertThat(Native.libc().fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK)).isZero();
        }
        return fd;
    }

    @ParameterizedTest(name = "sealed against shrinking: {0}, may map: {1}")
    @MethodSource("ways")
    void aRectangleArrivesExactlyInTheHostsStride(boolean sealed, boolean mayMap, String method) throws Exception {
        int fd = pool(sealed);
        int client = Fds.dup(fd); // the client keeps its own fd; Crossway gets another
        try (GuestMemory g = LinuxGuestMemory.open(fd, (long) STRIDE * H, mayMap)) {
            assertThat(g.method()).as("a pool is read until its second copy").isEqualTo("pread");
            int dstStride = W * 4;
            ByteBuffer dst = ByteBuffer.allocateDirect(dstStride * H);
            assertThat(g.copyRows(0, STRIDE, 4, 1, dst, 0, 4)).isTrue();
            dst.putInt(0, 0);
            // columns 5..14 of rows 3..12, the second copy
            assertThat(g.copyRows(3L * STRIDE + 5 * 4, STRIDE, 10 * 4, 10, dst, 3 * dstStride + 5 * 4, dstStride)).isTrue();
            assertThat(g.method()).isEqualTo(method);
            assertThat(g.copyRows(3L * STRIDE + 5 * 4, STRIDE, 10 * 4, 0, dst, 0, dstStride)).as("no rows: nothing to copy").isTrue();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    boolean in = x >= 5 && x < 15 && y >= 3 && y < 13;
                    assertThat(dst.getInt(y * dstStride + x * 4)).as("pixel %d,%d", x, y).isEqualTo(in ? (y * STRIDE + x * 4) * 31 : 0);
                }
            }
        } finally {
            Fds.close(client);
        }
    }

    /** A region of rectangles given as x, y, width, height, four ints each. */
    static Region rects(int... xywh) {
        Region r = new Region();
        for (int i = 0; i < xywh.length; i += 4) {
            r.add(xywh[i], xywh[i + 1], xywh[i + 2], xywh[i + 3]);
        }
        return r;
    }

    static Stream<Arguments> ways() {
        return Stream.of(Arguments.of(true, true, "mapped (memfd sealed against shrinking)"),
                Arguments.of(false, true, "mapped, read with process_vm_readv"), Arguments.of(true, false, "pread"),
                Arguments.of(false, false, "pread"));
    }

    /** A commit's rectangles, among them whole padded rows (one block when source and destination strides agree). */
    @ParameterizedTest(name = "sealed against shrinking: {0}, may map: {1}")
    @MethodSource("ways")
    void aCommitsRectanglesArriveExactly(boolean sealed, boolean mayMap, String method) throws Exception {
        int fd = pool(sealed);
        int client = Fds.dup(fd);
        Region rects = rects(5, 3, 10, 4, 60, 0, 4, 1, 0, 20, STRIDE / 4, 3, 1, 30, 1, 2);
        try (GuestMemory g = LinuxGuestMemory.open(fd, (long) STRIDE * H, mayMap)) {
            for (int copy = 1; copy <= 3; copy++) {
                int dstStride = copy == 2 ? STRIDE : STRIDE + 32; // the host's stride: the client's, or wider
                ByteBuffer dst = ByteBuffer.allocateDirect(dstStride * H);
                assertThat(g.copyRects(0, STRIDE, 4, rects, dst, dstStride)).isTrue();
                assertThat(g.method()).as("after copy %d of four rectangles: a pool is mapped from its second copy", copy)
                        .isEqualTo(copy == 1 ? "pread" : method);
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < dstStride / 4; x++) {
                        int expected = rects.contains(x, y) ? (y * STRIDE + x * 4) * 31 : 0;
                        assertThat(dst.getInt(y * dstStride + x * 4)).as("copy %d, pixel %d,%d", copy, x, y).isEqualTo(expected);
                    }
                }
            }
        } finally {
            Fds.close(client);
        }
    }

    /** More rows than one process_vm_readv takes (IOV_MAX): read in several calls, every row in place. */
    @Test
    void moreRowsThanOneCallTakesArriveInPlace() throws Exception {
        int stride = 64;
        int rows = LibC.IOV_MAX * 2 + 100;
        int fd = pool((long) stride * rows, false);
        Region rects = rects(1, 0, 2, LibC.IOV_MAX + 10, 5, 40, 3, rows - 40);
        try (GuestMemory g = LinuxGuestMemory.open(fd, (long) stride * rows, true)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(stride * rows);
            g.copyRects(0, stride, 4, rects(0, 0, 1, 1), dst, stride);
            assertThat(g.copyRects(0, stride, 4, rects, dst, stride)).isTrue();
            assertThat(g.method()).isEqualTo("mapped, read with process_vm_readv");
            for (int y = 0; y < rows; y++) {
                for (int x = 1; x < stride / 4; x++) {
                    int at = y * stride + x * 4;
                    assertThat(dst.getInt(at)).as("pixel %d,%d", x, y).isEqualTo(rects.contains(x, y) ? at * 31 : 0);
                }
            }
        }
    }

    /** The client shrinks its file between two commits: the copy of all the rectangles reports it, in one call or several. */
    @ParameterizedTest(name = "may map: {0}")
    @ValueSource(booleans = {true, false})
    void rectanglesPastAShrunkFileFailTheCopyWithoutAFault(boolean mayMap) throws Exception {
        int fd = pool(false);
        int client = Fds.dup(fd);
        try (GuestMemory g = LinuxGuestMemory.open(fd, (long) STRIDE * H, mayMap)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(STRIDE * H);
            assertThat(g.copyRects(0, STRIDE, 4, rects(0, 0, W, H), dst, STRIDE)).isTrue();
            assertThat(Native.libc().ftruncate(client, 4096)).isZero(); // one page: rows 0 to 14 whole
            assertThat(g.copyRects(0, STRIDE, 4, rects(0, 0, 4, 4, 8, 10, 4, 5), dst, STRIDE)).as("rows still in the file").isTrue();
            assertThat(g.copyRects(0, STRIDE, 4, rects(0, 0, 4, 4, 8, 10, 4, 7), dst, STRIDE)).as("the last rows past it").isFalse();
            assertThat(g.copyRects(0, STRIDE, 4, rects(0, 20, W, 1, 0, 0, 4, 4), dst, STRIDE)).as("the first rows past it").isFalse();
            assertThat(g.method()).isEqualTo(mayMap ? "mapped, read with process_vm_readv" : "pread");
        } finally {
            Fds.close(client);
        }
    }

    /** The client shrinks its file after create_pool: a copy reports it, and the JVM takes no SIGBUS. */
    @ParameterizedTest(name = "may map: {0}")
    @ValueSource(booleans = {true, false})
    void aPoolWhoseFileShrankFailsTheCopyWithoutAFault(boolean mayMap) throws Exception {
        int fd = pool(false);
        int client = Fds.dup(fd);
        try (GuestMemory g = LinuxGuestMemory.open(fd, (long) STRIDE * H, mayMap)) {
            assertThat(Native.libc().ftruncate(client, 0)).isZero();
            ByteBuffer dst = ByteBuffer.allocateDirect(W * 4 * H);
            assertThat(g.copyRows(0, STRIDE, W * 4, H, dst, 0, W * 4)).isFalse();
            assertThat(Native.libc().ftruncate(client, 4096)).isZero(); // one page: rows 0 to 14 whole
            assertThat(g.copyRows(0, STRIDE, W * 4, 15, dst, 0, W * 4)).as("rows still in the file").isTrue();
            assertThat(g.copyRows(0, STRIDE, W * 4, 17, dst, 0, W * 4)).as("rows past the file's last page").isFalse();
            assertThat(g.copyRows(0, STRIDE, STRIDE, 17, dst, 0, STRIDE)).as("contiguous rows").isFalse();
            assertThat(g.method()).as("the copies after the first").isEqualTo(mayMap ? "mapped, read with process_vm_readv" : "pread");
        } finally {
            Fds.close(client);
        }
    }

    @Test
    void aFileSmallerThanThePoolIsRefusedAndItsFdClosed() throws Exception {
        int fd = Fds.memfd("small", 100);
        Fds.Stat fdFile = Fds.stat(fd);
        assertThatThrownBy(() -> LinuxGuestMemory.open(fd, 4096, true)).hasMessage(
                "the file behind the fd holds 100 bytes, fewer than the pool's 4096");
        assertThat(Fds.isOpenOn(fd, fdFile)).isFalse();
    }

    @Test
    void growingThePoolChecksTheFileAndKeepsReading() throws Exception {
        int fd = pool(true);
        int client = Fds.dup(fd);
        try (GuestMemory g = LinuxGuestMemory.open(fd, (long) STRIDE * H, true)) {
            assertThatThrownBy(() -> g.resize((long) STRIDE * H * 2, true)).hasMessageContaining("fewer than the pool's");
            assertThat(Native.libc().ftruncate(client, (long) STRIDE * H * 2)).isZero();
            g.resize((long) STRIDE * H * 2, true);
            ByteBuffer dst = ByteBuffer.allocateDirect(W * 4);
            assertThat(g.copyRows((long) STRIDE * (2 * H - 1), STRIDE, W * 4, 1, dst, 0, W * 4)).isTrue();
            assertThat(dst.getInt(0)).as("new memory is zero").isZero();
        } finally {
            Fds.close(client);
        }
    }

    @Test
    void aSealedPoolTheCallerDoesNotAllowToMapIsRead() throws Exception {
        int fd = pool(true);
        try (GuestMemory g = LinuxGuestMemory.open(fd, (long) STRIDE * H, false)) {
            assertThat(g.method()).isEqualTo("pread");
            assertThat(g.mappedBytes()).isZero();
        }
        int fd2 = pool(true);
        int client = Fds.dup(fd2);
        try (GuestMemory g = LinuxGuestMemory.open(fd2, (long) STRIDE * H, true)) {
            assertThat(g.mappedBytes()).isEqualTo((long) STRIDE * H);
            assertThat(Native.libc().ftruncate(client, (long) STRIDE * H * 2)).isZero();
            g.resize((long) STRIDE * H * 2, false);
            assertThat(g.method()).as("grown beyond what may be mapped").isEqualTo("pread");
            assertThat(g.mappedBytes()).isZero();
            ByteBuffer dst = ByteBuffer.allocateDirect(4);
            assertThat(g.copyRows(STRIDE, STRIDE, 4, 1, dst, 0, 4)).isTrue();
            assertThat(dst.getInt(0)).isEqualTo(STRIDE * 31);
        } finally {
            Fds.close(client);
        }
    }

    /** A regular file on disk cannot be sealed: read with pread. Closing releases the fd. */
    @Test
    void aFileThatCannotBeSealedIsReadAndClosingReleasesItsFd(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pool");
        byte[] content = new byte[4096];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Files.write(file, content);
        int fd = Native.libc().open(Native.cString(file.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        Fds.Stat fdFile = Fds.stat(fd);
        GuestMemory g = LinuxGuestMemory.open(fd, 4096, true);
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        for (int i = 0; i < 2; i++) {
            assertThat(g.copyRows(100 + i, 16, 16, 1, dst, 0, 16)).isTrue();
            assertThat(dst.get(0)).isEqualTo((byte) (100 + i));
        }
        assertThat(g.method()).isEqualTo("mapped, read with process_vm_readv");
        g.close();
        assertThat(Fds.isOpenOn(fd, fdFile)).isFalse();
    }
}
