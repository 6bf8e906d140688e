package dev.crossway.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.FdQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire decoder on hostile bytes: any message of any built-in interface, framed or not. It may say
 * "need more" or throw {@link WireException}, nothing else; what it decodes encodes back to a message
 * that decodes the same.
 */
class MessageCodecFuzzTest {
    private static final List<MessageSpec> SPECS = new ArrayList<>();

    static {
        for (Interface i : SchemaLoader.loadBundled().interfaces()) {
            SPECS.addAll(i.requests());
            SPECS.addAll(i.events());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void decodesOrRefuses(FuzzedDataProvider data) throws Exception {
        MessageSpec spec = SPECS.get(data.consumeInt(0, SPECS.size() - 1));
        int fdsQueued = data.consumeInt(0, 4);
        byte[] bytes = data.consumeRemainingAsBytes();
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        int size;
        try {
            size = Wire.checkedSize(buf, 0, bytes.length);
        } catch (WireException e) {
            return;
        }
        if (size == 0 || size > bytes.length) {
            return; // need more bytes
        }
        FdQueue fds = new FdQueue();
        for (int i = 0; i < fdsQueued; i++) {
            fds.add(100 + i);
        }
        Message decoded;
        try {
            decoded = MessageCodec.decode(buf, 0, spec, fds);
        } catch (WireException e) {
            return;
        }
        ByteBuffer again = ByteBuffer.allocate(Wire.MAX_MESSAGE_SIZE * 2).order(ByteOrder.nativeOrder());
        FdQueue out = new FdQueue();
        try {
            MessageCodec.encode(decoded, again, out);
        } catch (WireException e) {
            return; // a string that grew when re-encoded past the message limit: refused, as it should be
        }
        again.flip();
        FdQueue in = new FdQueue();
        for (int i = 0; i < out.size(); i++) {
            in.add(out.peek(i));
        }
        Message twice = MessageCodec.decode(again, 0, spec, in);
        assertThat(twice.toString()).isEqualTo(decoded.toString());
    }
}
