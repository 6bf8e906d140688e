package dev.crossway.bench.jmh;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxKernel;
import dev.crossway.linux.SocketHostConnection;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.InterceptorFactory;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionListener;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.shm.ShmInterceptor;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import dev.crossway.wire.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
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
 * One frame of a client through a real session over socketpairs: {@code attach}, {@code damage_buffer}
 * of a 144×144 square that moves (1 % of 1920×1080), {@code commit} and a {@code wl_display.sync},
 * answered by the compositor side here, which releases the buffer it was given at once (as a GL
 * renderer does after its upload). Per commit, the system calls of both hops and the compositor's
 * answers included. {@code memory}: {@code shared}, where the pool goes to the host as it is, or
 * {@code separate}, where Crossway keeps it and copies the damage into a host buffer of its own
 * (mapped memfd pools sealed against shrinking): the difference is what the shm mirror costs a commit,
 * the copy of the square included, and its allocation per commit is the garbage it makes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ShmCommitBenchmark {
    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    static final int SIDE = 144;
    // The app's ids: the session gives the host ids of its own, in order, where they differ.
    static final int REGISTRY = 2;
    static final int COMPOSITOR = 3;
    static final int SHM = 4;
    static final int SURFACE = 5;
    static final int POOL = 6;
    static final int BUFFER = 7;
    static final int CALLBACK = 8;

    @Param({"shared", "separate"})
    public String memory;

    private Schema schema;
    private UnixSocket app;
    private UnixSocket compositor;
    private Session session;
    private final FdQueue fds = new FdQueue();
    private final ByteBuffer out = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private final ByteBuffer in = ByteBuffer.allocateDirect(65536).order(ByteOrder.nativeOrder());
    private final ByteBuffer answer = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private int poolFd;
    private ByteBuffer pixels;
    private int frame;
    private int attachOpcode;
    private int syncOpcode;
    private int damageBufferOpcode;
    private int commitOpcode;

    @Setup
    public void setup() throws Exception {
        schema = SchemaLoader.loadBundled();
        boolean separate = memory.equals("separate");
        UnixSocket[] client = UnixSocket.pair();
        UnixSocket[] host = UnixSocket.pair();
        app = client[0];
        compositor = host[1];
        List<InterceptorFactory> interceptors = separate ? List.of(s -> new ShmInterceptor(s, ShmLimits.defaults())) : List.of();
        session = new Session(1, client[1], new SocketHostConnection(host[0], new Capabilities(!separate, true, 28, 65536)),
                new SessionOptions(schema, interceptors, false, false), SessionListener.NONE, LinuxKernel.INSTANCE);
        session.start();
        attachOpcode = schema.require("wl_surface").message(true, "attach").opcode();
        syncOpcode = schema.require("wl_display").message(true, "sync").opcode();
        damageBufferOpcode = schema.require("wl_surface").message(true, "damage_buffer").opcode();
        commitOpcode = schema.require("wl_surface").message(true, "commit").opcode();
        int size = WIDTH * HEIGHT * 4;
        poolFd = Fds.memfd("crossway-bench-commit", size);
        if (Native.libc().fcntl(poolFd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK) != 0) {
            throw new IllegalStateException("cannot seal the pool memfd");
        }
        pixels = Fds.map(poolFd, size, true);
        out.clear();
        encode(1, "wl_display", "get_registry", REGISTRY);
        encode(REGISTRY, "wl_registry", "bind", 1, new NewId("wl_compositor", 4, COMPOSITOR));
        encode(REGISTRY, "wl_registry", "bind", 2, new NewId("wl_shm", 1, SHM));
        encode(COMPOSITOR, "wl_compositor", "create_surface", SURFACE);
        encode(SHM, "wl_shm", "create_pool", POOL, Fds.dup(poolFd), size);
        encode(POOL, "wl_shm_pool", "create_buffer", BUFFER, 0, WIDTH, HEIGHT, WIDTH * 4, 1);
        out.flip();
        app.send(out, fds);
        for (int i = 0; i < 50; i++) {
            commit(); // warms the session up; the first commit copies the whole buffer
        }
    }

    private void encode(int objectId, String iface, String request, Object... args) throws Exception {
        MessageCodec.encode(new Message(objectId, schema.require(iface).message(true, request), args), out, fds);
    }

    @Benchmark
    public int commit() throws Exception {
        int x = (frame * 37) % (WIDTH - SIDE + 1);
        int y = (frame * 23) % (HEIGHT - SIDE + 1);
        frame++;
        for (int row = y; row < y + SIDE; row++) {
            pixels.putInt(row * WIDTH * 4 + x * 4, frame);
        }
        out.clear();
        out.putInt(SURFACE).putInt(Wire.sizeAndOpcode(20, attachOpcode)).putInt(BUFFER).putInt(0).putInt(0);
        // Written as bytes, as libwayland does: what is allocated per op is then Crossway's alone.
        out.putInt(SURFACE).putInt(Wire.sizeAndOpcode(24, damageBufferOpcode)).putInt(x).putInt(y).putInt(SIDE).putInt(SIDE);
        out.putInt(SURFACE).putInt(Wire.sizeAndOpcode(8, commitOpcode));
        out.putInt(1).putInt(Wire.sizeAndOpcode(12, syncOpcode)).putInt(CALLBACK);
        out.flip();
        app.send(out, fds);
        serveUntilSync();
        return awaitDone();
    }

    /** The compositor: reads requests up to the sync; releases each buffer attached, then answers the sync. */
    private void serveUntilSync() throws Exception {
        answer.clear();
        while (true) {
            in.clear();
            int n = compositor.receive(in, fds);
            fds.closeAll(Fds.CLOSER);
            for (int pos = 0; pos + 8 <= n; pos += Wire.size(in, pos)) {
                int id = in.getInt(pos);
                int opcode = Wire.opcode(in, pos);
                if (opcode == attachOpcode && id != 1 && Wire.size(in, pos) == 20) {
                    answer.putInt(in.getInt(pos + 8)).putInt(Wire.sizeAndOpcode(8, 0)); // wl_buffer.release
                } else if (id == 1 && opcode == syncOpcode) {
                    int callback = in.getInt(pos + 8);
                    answer.putInt(callback).putInt(Wire.sizeAndOpcode(12, 0)).putInt(0); // wl_callback.done
                    answer.putInt(1).putInt(Wire.sizeAndOpcode(12, 1)).putInt(callback); // wl_display.delete_id
                    answer.flip();
                    compositor.send(answer, fds);
                    return;
                }
            }
        }
    }

    /** The app: reads events up to the sync's delete_id, the last the compositor sent. */
    private int awaitDone() throws Exception {
        int events = 0;
        while (true) {
            in.clear();
            int n = app.receive(in, fds);
            for (int pos = 0; pos + 8 <= n; pos += Wire.size(in, pos)) {
                events++;
                if (in.getInt(pos) == 1 && Wire.opcode(in, pos) == 1 && in.getInt(pos + 8) == CALLBACK) {
                    return events;
                }
            }
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        session.close();
        app.close();
        compositor.close();
        Fds.unmap(pixels);
        Fds.close(poolFd);
    }
}
