package dev.crossway.bench.jmh;

import dev.crossway.linux.LinuxKernel;
import dev.crossway.linux.SocketHostConnection;
import dev.crossway.linux.UnixSocket;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.Interceptor;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionListener;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forwarding through a real session over socketpairs: the app side writes a batch of 100 untouched
 * requests ({@code wl_surface.damage}), the compositor side reads them back. Per message, including the system calls on both
 * hops. {@code ids}: {@code same} where ids pass unchanged (shared memory), {@code translated} where the
 * session translates them to host ids, rewriting each message in place (separate memory).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RelayBenchmark {
    static final int BATCH = 100;

    @Param({"same", "translated"})
    public String ids;

    private UnixSocket app;
    private UnixSocket compositor;
    private Session session;
    private ByteBuffer batch;
    private ByteBuffer sink;
    private final FdQueue fds = new FdQueue();
    private int batchBytes;

    @Setup
    public void setup() throws Exception {
        Schema schema = SchemaLoader.loadBundled();
        UnixSocket[] client = UnixSocket.pair();
        UnixSocket[] host = UnixSocket.pair();
        app = client[0];
        compositor = host[1];
        session = new Session(1, client[1], new SocketHostConnection(host[0], new Capabilities(true, true, 28, 65536)),
                new SessionOptions(schema, ids.equals("translated") ? List.of(s -> new HostObjectsOwner()) : List.of(), false, false),
                SessionListener.NONE,
                LinuxKernel.INSTANCE);
        session.start();
        // A surface to send untouched requests to: get_registry, bind wl_compositor, create_surface.
        var display = schema.require("wl_display");
        var registry = schema.require("wl_registry");
        var compositorIface = schema.require("wl_compositor");
        ByteBuffer setup = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
        MessageCodec.encode(new Message(1, display.message(true, "get_registry"), 2), setup, fds);
        MessageCodec.encode(new Message(2, registry.message(true, "bind"), 1, new NewId("wl_compositor", 4, 3)), setup, fds);
        MessageCodec.encode(new Message(3, compositorIface.message(true, "create_surface"), 4), setup, fds);
        setup.flip();
        int setupBytes = setup.remaining();
        app.send(setup, fds);
        sink = ByteBuffer.allocateDirect(65536);
        int got = 0;
        while (got < setupBytes) {
            sink.clear();
            got += compositor.receive(sink, fds);
        }
        // The batch: wl_surface.damage, untouched and creating nothing, as most of a render loop is.
        batch = ByteBuffer.allocateDirect(BATCH * 24).order(ByteOrder.nativeOrder());
        int damage = schema.require("wl_surface").message(true, "damage").opcode();
        for (int i = 0; i < BATCH; i++) {
            batch.putInt(4).putInt(24 << 16 | damage).putInt(i).putInt(i).putInt(8).putInt(8);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int forwardBatchOf100Requests() throws Exception {
        batch.clear();
        app.send(batch, fds);
        int got = 0;
        while (got < BATCH * 24) {
            sink.clear();
            got += compositor.receive(sink, fds);
        }
        return got;
    }

    /** An interceptor that watches nothing but makes the session translate ids, as the shm mirror does. */
    static final class HostObjectsOwner implements Interceptor {
        @Override
        public List<Hook> hooks() {
            return List.of();
        }

        @Override
        public void intercept(Chain chain) {
            throw new IllegalStateException("watches nothing");
        }

        @Override
        public boolean createsHostObjects() {
            return true;
        }
    }

    @TearDown
    public void tearDown() {
        session.close();
        app.close();
        compositor.close();
    }
}
