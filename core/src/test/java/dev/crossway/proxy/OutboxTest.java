package dev.crossway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outbox's prefix: events another thread left go first, in the same send as the batch where they fit. */
class OutboxTest {
    static final Schema SCHEMA = SchemaLoader.loadBundled();
    static final MessageSpec DONE = SCHEMA.require("wl_callback").message(false, "done");
    static final MessageSpec RELEASE = SCHEMA.require("wl_buffer").message(false, "release");

    final MemoryKernel kernel = new MemoryKernel();
    final ByteBuffer input = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    final ByteBuffer prefix = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    MemoryConnection sink;
    Outbox outbox;

    @BeforeEach
    void setUp() {
        MemoryConnection[] pair = MemoryConnection.pair(new Capabilities(false, true, 28, 65536));
        sink = pair[0];
        outbox = new Outbox(sink, new Object(), sink.capabilities(), input, null, kernel, prefix);
    }

    @Test
    void thePrefixAndAnUntouchedSpanLeaveInOneSendPrefixFirst() throws Exception {
        byte[] release = encode(new Message(7, RELEASE));
        prefix.put(release);
        byte[] done = encode(new Message(9, DONE, 42));
        input.put(done);
        outbox.appendRaw(0, done.length, DONE, new FdQueue(), 0);
        outbox.flush();
        assertThat(sink.sent).hasSize(1);
        assertThat(sink.sent.get(0).bytes()).isEqualTo(concat(release, done));
        assertThat(prefix.position()).isZero();
    }

    @Test
    void thePrefixGoesAheadOfEncodedMessagesThatWereAlreadyQueued() throws Exception {
        byte[] done = encode(new Message(9, DONE, 42));
        outbox.appendEncoded(new Message(9, DONE, 42));
        outbox.appendEncoded(new Message(11, DONE, 43));
        byte[] release = encode(new Message(7, RELEASE));
        prefix.put(release).put(release);
        outbox.flush();
        assertThat(sink.sent).hasSize(1);
        assertThat(sink.sent.get(0).bytes()).isEqualTo(concat(release, release, done, encode(new Message(11, DONE, 43))));
    }

    @Test
    void aPrefixWithNothingElseQueuedIsSentAlone() throws Exception {
        byte[] release = encode(new Message(7, RELEASE));
        prefix.put(release);
        outbox.flush();
        outbox.flush();
        assertThat(sink.sent).hasSize(1);
        assertThat(sink.sent.get(0).bytes()).isEqualTo(release);
    }

    @Test
    void withoutAPrefixAnEmptyFlushSendsNothing() throws Exception {
        outbox.flush();
        assertThat(sink.sent).isEmpty();
    }

    static byte[] encode(Message m) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        MessageCodec.encode(m, b, new FdQueue());
        return Arrays.copyOf(b.array(), b.position());
    }

    static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
