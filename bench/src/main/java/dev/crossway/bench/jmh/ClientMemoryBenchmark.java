package dev.crossway.bench.jmh;

import dev.crossway.linux.Fds;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ways to read a damaged rectangle of a client's shm pool (a memfd) into host memory, for the choice of
 * a copy that a client cannot make fault: a plain copy from a mapping (what faults when the client
 * shrinks its file), {@code pread} per row from the pool fd, and {@code process_vm_readv} from our own
 * mapping with one iovec per row. A 1920×1080 XRGB8888 buffer: {@code full} is the whole frame,
 * {@code square} a 144×144 square (1 % of it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ClientMemoryBenchmark {
    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    static final int STRIDE = WIDTH * 4;
    private static final LibC LIBC = Native.libc();

    @Param({"full", "square"})
    public String damage;

    private int fd;
    private ByteBuffer pool;
    private ByteBuffer host;
    private long poolAddress;
    private long hostAddress;
    private ByteBuffer iovecs;
    private int pid;
    private int x;
    private int y;
    private int w;
    private int h;

    @Setup
    public void setup() throws Exception {
        fd = Fds.memfd("bench-pool", (long) STRIDE * HEIGHT);
        pool = Fds.map(fd, (long) STRIDE * HEIGHT, true);
        for (int i = 0; i < pool.capacity(); i += 4) {
            pool.putInt(i, i);
        }
        host = ByteBuffer.allocateDirect(STRIDE * HEIGHT);
        poolAddress = Native.address(pool);
        hostAddress = Native.address(host);
        iovecs = ByteBuffer.allocateDirect(2 * HEIGHT * LibC.IOVEC_SIZE).order(ByteOrder.nativeOrder());
        pid = LIBC.getpid();
        boolean full = damage.equals("full");
        x = full ? 0 : 300;
        y = full ? 0 : 200;
        w = full ? WIDTH : 144;
        h = full ? HEIGHT : 144;
    }

    @TearDown
    public void tearDown() throws Exception {
        Fds.unmap(pool);
        Fds.close(fd);
    }

    @Benchmark
    public long mappedCopy() {
        int rowBytes = w * 4;
        int start = y * STRIDE + x * 4;
        if (rowBytes == STRIDE) {
            host.put(start, pool, start, rowBytes * h);
        } else {
            for (int r = 0; r < h; r++) {
                host.put(start + r * STRIDE, pool, start + r * STRIDE, rowBytes);
            }
        }
        return (long) rowBytes * h;
    }

    @Benchmark
    public long preadPerRow() {
        int rowBytes = w * 4;
        long start = (long) y * STRIDE + x * 4L;
        long total = 0;
        if (rowBytes == STRIDE) {
            return LIBC.pread(fd, hostAddress + start, (long) rowBytes * h, start);
        }
        for (int r = 0; r < h; r++) {
            long at = start + (long) r * STRIDE;
            total += LIBC.pread(fd, hostAddress + at, rowBytes, at);
        }
        return total;
    }

    @Benchmark
    public long processVmReadv() {
        int rowBytes = w * 4;
        long start = (long) y * STRIDE + x * 4L;
        int rows = rowBytes == STRIDE ? 1 : h;
        long len = rowBytes == STRIDE ? (long) rowBytes * h : rowBytes;
        long local = Native.address(iovecs);
        long remote = local + (long) HEIGHT * LibC.IOVEC_SIZE;
        for (int r = 0; r < rows; r++) {
            long at = start + (long) r * STRIDE;
            iovecs.putLong(r * 16, hostAddress + at).putLong(r * 16 + 8, len);
            iovecs.putLong(HEIGHT * LibC.IOVEC_SIZE + r * 16, poolAddress + at).putLong(HEIGHT * LibC.IOVEC_SIZE + r * 16 + 8, len);
        }
        return LIBC.process_vm_readv(pid, local, rows, remote, rows, null);
    }
}
