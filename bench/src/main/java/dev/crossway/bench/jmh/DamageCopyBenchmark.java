package dev.crossway.bench.jmh;

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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The copy a commit costs with separate guest memory: a whole 1920×1080 XRGB8888 frame, a 1 % square
 * and a 2×2 change, from one direct buffer to another as from a guest pool to host memory.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DamageCopyBenchmark {
    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    static final int STRIDE = WIDTH * 4;

    private ByteBuffer guest;
    private ByteBuffer host;
    private final Region full = new Region();
    private final Region square = new Region();
    private final Region tiny = new Region();

    @Setup
    public void setup() {
        guest = ByteBuffer.allocateDirect(STRIDE * HEIGHT);
        host = ByteBuffer.allocateDirect(STRIDE * HEIGHT);
        full.setFull(WIDTH, HEIGHT);
        square.add(300, 200, 144, 144);
        tiny.add(1000, 500, 2, 2);
    }

    @Benchmark
    public long fullFrame() {
        return ShmCopy.copy(guest, host, 0, STRIDE, 4, full);
    }

    @Benchmark
    public long onePercentSquare() {
        return ShmCopy.copy(guest, host, 0, STRIDE, 4, square);
    }

    @Benchmark
    public long twoByTwo() {
        return ShmCopy.copy(guest, host, 0, STRIDE, 4, tiny);
    }
}
