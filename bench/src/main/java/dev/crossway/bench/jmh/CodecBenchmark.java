package dev.crossway.bench.jmh;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.Wire;
import dev.crossway.wire.WireException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Message framing (what every relayed message costs) and full decoding (what only intercepted
 * messages cost).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    /** Messages in the framing batch: 50 frames of four requests. */
    static final int MESSAGES = 200;

    private ByteBuffer frame;
    private ByteBuffer title;
    private MessageSpec setTitle;
    private final FdQueue fds = new FdQueue();

    @Setup
    public void setup() throws WireException {
        Schema schema = SchemaLoader.loadBundled();
        Interface surface = schema.require("wl_surface");
        // A typical frame's requests: attach, damage_buffer, frame, commit; 50 times.
        frame = ByteBuffer.allocateDirect(8192).order(ByteOrder.nativeOrder());
        for (int i = 0; i < MESSAGES / 4; i++) {
            MessageCodec.encode(new Message(10, surface.message(true, "attach"), 20, 0, 0), frame, fds);
            MessageCodec.encode(new Message(10, surface.message(true, "damage_buffer"), 0, 0, 64, 64), frame, fds);
            MessageCodec.encode(new Message(10, surface.message(true, "frame"), 30), frame, fds);
            MessageCodec.encode(new Message(10, surface.message(true, "commit")), frame, fds);
        }
        frame.flip();
        setTitle = schema.require("xdg_toplevel").message(true, "set_title");
        title = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
        MessageCodec.encode(new Message(23, setTitle, "a window title of typical length"), title, fds);
        title.flip();
    }

    /** Framing a batch: header checks only, as the relay does for untouched messages. Per message. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public int frameBatchPerMessage() throws WireException {
        int pos = 0;
        int sum = 0;
        int limit = frame.limit();
        while (true) {
            int size = Wire.checkedSize(frame, pos, limit);
            if (size == 0 || limit - pos < size) {
                break;
            }
            sum += Wire.opcode(frame, pos);
            pos += size;
        }
        return sum;
    }

    /** Decoding one message with a string, as interceptors see it. */
    @Benchmark
    public Message decodeSetTitle() throws WireException {
        return MessageCodec.decode(title, 0, setTitle, fds);
    }
}
