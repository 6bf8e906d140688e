package dev.crossway.bench.jmh;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxKernel;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.proxy.GuestMemory;
import dev.crossway.proxy.shm.Region;
import dev.crossway.proxy.shm.ShmCopy;
import java.nio.ByteBuffer;
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
 * The copy a commit costs with separate guest memory, through the daemon's own path
 * ({@link ShmCopy} over {@link GuestMemory} from {@link LinuxKernel}): a whole 1920×1080 XRGB8888
 * frame, a 1 % square and a 2×2 change, from a client's memfd into host memory. {@code pool}: a memfd
 * sealed against shrinking (mapped and copied, as weston's and foot's pools are), an unsealed one
 * (mapped and read with process_vm_readv), or one past the client's mapping bound (read with pread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DamageCopyBenchmark {
    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    static final int STRIDE = WIDTH * 4;

    @Param({"sealed", "unsealed", "unmapped"})
    public String pool;

    private GuestMemory guest;
    private ByteBuffer host;
    private final Region full = new Region();
    private final Region square = new Region();
    private final Region tiny = new Region();

    @Setup
    public void setup() throws Exception {
        int fd = Fds.memfd("bench-pool", (long) STRIDE * HEIGHT);
        if (pool.equals("sealed") && Native.libc().fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK) != 0) {
            throw new IllegalStateException("cannot seal the pool");
        }
        ByteBuffer w = Fds.map(fd, (long) STRIDE * HEIGHT, true);
        for (int i = 0; i < w.capacity(); i += 4) {
            w.putInt(i, i);
        }
        Fds.unmap(w);
        guest = LinuxKernel.INSTANCE.openGuestMemory(fd, (long) STRIDE * HEIGHT, !pool.equals("unmapped"));
        host = ByteBuffer.allocateDirect(STRIDE * HEIGHT);
        full.setFull(WIDTH, HEIGHT);
        square.add(300, 200, 144, 144);
        tiny.add(1000, 500, 2, 2);
    }

    @TearDown
    public void tearDown() {
        guest.close();
    }

    @Benchmark
    public long fullFrame() {
        return ShmCopy.copy(guest, 0, STRIDE, host, STRIDE, 4, full);
    }

    @Benchmark
    public long onePercentSquare() {
        return ShmCopy.copy(guest, 0, STRIDE, host, STRIDE, 4, square);
    }

    @Benchmark
    public long twoByTwo() {
        return ShmCopy.copy(guest, 0, STRIDE, host, STRIDE, 4, tiny);
    }
}
