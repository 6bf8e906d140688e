package dev.crossway.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.FdQueue;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
    static Interface factory;
    static Interface thing;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = MessageCodecTest.class.getResourceAsStream("/test-protocol.xml")) {
            List<Interface> ifaces = SchemaLoader.parse("test-protocol.xml", in);
            factory = ifaces.stream().filter(i -> i.name().equals("ct_factory")).findFirst().orElseThrow();
            thing = ifaces.stream().filter(i -> i.name().equals("ct_thing")).findFirst().orElseThrow();
        }
    }

    static ByteBuffer buf(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.nativeOrder());
        for (int w : words) {
            b.putInt(w);
        }
        return b.flip();
    }

    static int chars(String s) {
        byte[] b = (s + "\0\0\0\0").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt();
    }

    @Test
    void everyArgumentTypeEncodesToTheWireLayoutAndBack() throws Exception {
        MessageSpec spec = thing.message(true, "set_everything");
        Message m = new Message(7, spec, -5, 0xfffffffe, Fixed.fromDouble(1.5), "abc", 3, new byte[] {1, 2, 3, 4, 5}, 42, 9);
        ByteBuffer out = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        FdQueue fds = new FdQueue();
        MessageCodec.encode(m, out, fds);
        out.flip();
        // header, int, uint, fixed, string(len 4 incl. NUL, "abc\0"), object, array(len 5 + 3 pad), (fd: no bytes), new_id
        ByteBuffer expected = buf(7, (48 << 16) | 0, -5, 0xfffffffe, 384, 4, chars("abc"), 3, 5, 0x04030201, 5, 9);
        assertThat(out).isEqualTo(expected);
        assertThat(fds.size()).isEqualTo(1);
        assertThat(fds.peek(0)).isEqualTo(42);

        Message back = MessageCodec.decode(out, 0, spec, fds);
        assertThat(back.objectId()).isEqualTo(7);
        assertThat(back.intArg(0)).isEqualTo(-5);
        assertThat(back.intArg(1)).isEqualTo(0xfffffffe);
        assertThat(Fixed.toDouble(back.intArg(2))).isEqualTo(1.5);
        assertThat(back.stringArg(3)).isEqualTo("abc");
        assertThat(back.intArg(4)).isEqualTo(3);
        assertThat((byte[]) back.arg(5)).containsExactly(1, 2, 3, 4, 5);
        assertThat(back.intArg(6)).isEqualTo(42);
        assertThat(back.intArg(7)).isEqualTo(9);
        assertThat(fds.isEmpty()).as("decode takes the message's fds from the queue").isTrue();
        assertThat(back.isModified()).isFalse();
    }

    @Test
    void untypedNewIdCarriesInterfaceAndVersion() throws Exception {
        MessageSpec spec = factory.message(true, "bind_any");
        Message m = new Message(2, spec, 17, new NewId("ct_thing", 4, 30));
        ByteBuffer out = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        MessageCodec.encode(m, out, new FdQueue());
        out.flip();
        assertThat(out).isEqualTo(buf(2, (36 << 16) | 2, 17, 9, chars("ct_t"), chars("hing"), 0, 4, 30));
        Message back = MessageCodec.decode(out, 0, spec, new FdQueue());
        assertThat(back.newIdArg(1)).isEqualTo(new NewId("ct_thing", 4, 30));
    }

    @Test
    void nullableArgumentsTakeNull() throws Exception {
        MessageSpec spec = thing.message(true, "set_nullable");
        ByteBuffer in = buf(5, (24 << 16) | 1, 0, 0, 8, 0);
        Message m = MessageCodec.decode(in, 0, spec, new FdQueue());
        assertThat(m.stringArg(0)).isNull();
        assertThat(m.intArg(1)).isZero();
        assertThat(m.intArg(2)).isEqualTo(8);
        assertThat((byte[]) m.arg(3)).isEmpty();
    }

    @Test
    void headerReaderWaitsForASplitHeader() throws Exception {
        ByteBuffer half = buf(5);
        assertThat(Wire.checkedSize(half, 0, half.limit())).isZero();
    }

    @Test
    void sizeSmallerThanHeaderIsMalformed() {
        ByteBuffer b = buf(5, 4 << 16);
        assertThatThrownBy(() -> Wire.checkedSize(b, 0, b.limit())).isInstanceOf(WireException.class)
                .hasMessageContaining("smaller than the 8-byte header");
    }

    @Test
    void sizeNotMultipleOfFourIsMalformed() {
        ByteBuffer b = buf(5, 10 << 16);
        assertThatThrownBy(() -> Wire.checkedSize(b, 0, b.limit())).hasMessageContaining("not a multiple of 4");
    }

    @Test
    void sizeAboveMaximumIsMalformed() {
        ByteBuffer b = buf(5, 4100 << 16);
        assertThatThrownBy(() -> Wire.checkedSize(b, 0, b.limit())).hasMessageContaining("exceeds the maximum of 4096");
    }

    @Test
    void sizeBeyondTheBufferIsMalformed() {
        MessageSpec spec = thing.message(false, "flags");
        ByteBuffer b = buf(5, 16 << 16, 1);
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue())).hasMessageContaining("goes beyond");
    }

    @Test
    void unterminatedStringIsMalformed() {
        MessageSpec spec = thing.message(false, "gone");
        ByteBuffer b = buf(5, (16 << 16) | 1, 4, chars("abcd"));
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue()))
                .isInstanceOf(WireException.class).hasMessageContaining("ct_thing.gone: string 'reason' is not NUL-terminated");
    }

    @Test
    void overlongStringIsMalformed() {
        MessageSpec spec = thing.message(false, "gone");
        ByteBuffer b = buf(5, (16 << 16) | 1, 100, chars("abc"));
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue()))
                .hasMessageContaining("string 'reason' of 100 bytes overflows the message");
    }

    /** Found by the fuzzer: the padded length of 2^31 - 3 wrapped negative and passed the bound. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0x7ffffffd, 0x7fffffff, 0x7ffffffc})
    void aStringLengthNearTwoToTheThirtyFirstIsMalformedNotACrash(int length) {
        MessageSpec spec = thing.message(false, "gone");
        ByteBuffer b = buf(5, (16 << 16) | 1, length, chars("abc"));
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue()))
                .isInstanceOf(WireException.class)
                .hasMessageContaining("string 'reason' of " + length + " bytes overflows the message");
    }

    @Test
    void nullNonNullableStringIsMalformed() {
        MessageSpec spec = thing.message(false, "gone");
        ByteBuffer b = buf(5, (12 << 16) | 1, 0);
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue()))
                .hasMessageContaining("string 'reason' is null but may not be");
    }

    @Test
    void arrayOverflowIsMalformed() {
        MessageSpec spec = thing.message(true, "set_nullable");
        ByteBuffer b = buf(5, (24 << 16) | 1, 0, 0, 8, 64);
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue()))
                .hasMessageContaining("array 'data' of 64 bytes overflows the message");
    }

    @Test
    void missingFdIsReportedAndNoFdIsTaken() {
        MessageSpec spec = thing.message(true, "set_everything");
        ByteBuffer b = buf(7, 48 << 16, -5, 1, 384, 4, chars("abc"), 3, 5, 0x04030201, 5, 9);
        FdQueue none = new FdQueue();
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, none)).isInstanceOf(WireException.class)
                .satisfies(e -> assertThat(((WireException) e).kind()).isEqualTo(WireException.Kind.MISSING_FD))
                .hasMessageContaining("needs 1 fd(s) but 0 arrived");
    }

    @Test
    void trailingBytesAreMalformed() {
        MessageSpec spec = thing.message(false, "flags");
        ByteBuffer b = buf(5, 16 << 16, 1, 2);
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue())).hasMessageContaining("4 trailing bytes");
    }

    @Test
    void messageEndingBeforeAnArgumentIsMalformed() {
        MessageSpec spec = thing.message(true, "set_flags");
        ByteBuffer b = buf(5, (12 << 16) | 2, 1);
        assertThatThrownBy(() -> MessageCodec.decode(b, 0, spec, new FdQueue()))
                .hasMessageContaining("message ends before argument 'mode'");
    }

    @Test
    void encodingRefusesMessagesAboveTheMaximum() {
        MessageSpec spec = thing.message(false, "gone");
        Message m = new Message(5, spec, "x".repeat(5000));
        assertThatThrownBy(() -> MessageCodec.encode(m, ByteBuffer.allocate(8192), new FdQueue()))
                .hasMessageContaining("more than the maximum of 4096");
    }

    @Test
    void settingAnArgumentOfTheWrongTypeIsRefused() {
        Message m = new Message(5, thing.message(false, "gone"), "x");
        assertThatThrownBy(() -> m.set(0, 3)).hasMessageContaining("argument 'reason' (string) cannot take Integer");
    }

    @Test
    void utf8StringsRoundTrip() throws Exception {
        MessageSpec spec = thing.message(false, "gone");
        Message m = new Message(5, spec, "fenêtre ✓ 😀");
        ByteBuffer out = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        MessageCodec.encode(m, out, new FdQueue());
        out.flip();
        assertThat(Wire.size(out, 0)).isEqualTo(out.limit()).isEqualTo(MessageCodec.encodedSize(m));
        assertThat(MessageCodec.decode(out, 0, spec, new FdQueue()).stringArg(0)).isEqualTo("fenêtre ✓ 😀");
    }

    /** The relay decodes every message it looks inside into one reused message: each decode leaves nothing of the one before. */
    @Test
    void aReusedMessageHoldsOnlyItsLatestDecode() throws Exception {
        MessageSpec everything = thing.message(true, "set_everything");
        MessageSpec flags = thing.message(true, "set_flags");
        FdQueue fds = new FdQueue();
        Encoded two = Encoded.of(fds, new Message(7, everything, -5, 6, 384, "abc", 3, new byte[] {1, 2}, 42, 9),
                new Message(8, flags, 0x11, -2));
        ByteBuffer wire = two.wire();
        int second = two.second();

        Message reused = Message.reusable();
        assertThat(MessageCodec.decode(reused, wire, 0, everything, fds)).isSameAs(reused);
        assertThat(reused.stringArg(3)).isEqualTo("abc");
        assertThat(reused.fd(0)).isEqualTo(42);
        reused.setInt(0, 1);
        assertThat(reused.isModified()).isTrue();

        assertThat(MessageCodec.decode(reused, wire, second, flags, fds)).isSameAs(reused);
        assertThat(reused.objectId()).isEqualTo(8);
        assertThat(reused.spec()).isSameAs(flags);
        assertThat(reused.argCount()).isEqualTo(2);
        assertThat(reused.intArg(0)).isEqualTo(0x11);
        assertThat(reused.intArg(1)).isEqualTo(-2);
        assertThat(reused.isModified()).as("a fresh decode is the peer's bytes").isFalse();
        assertThatThrownBy(() -> reused.intArg(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(reused).hasToString("ct_thing@8.set_flags[17, -2]");

        ByteBuffer again = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        MessageCodec.encode(reused, again, new FdQueue());
        assertThat(again.flip()).isEqualTo(wire.duplicate().position(second));
    }

    @Test
    void integersAreKeptUnboxedAndReadAsTheTypesMessageDocuments() {
        MessageSpec spec = thing.message(true, "set_everything");
        Message m = new Message(7, spec, -5, 6, 384, "abc", 3, new byte[] {1, 2}, 42, 9);
        assertThat(m.arg(0)).isEqualTo(-5);
        assertThat(m.arg(3)).isEqualTo("abc");
        assertThat(m.fds()).containsExactly(42);
        assertThatThrownBy(() -> m.intArg(3)).isInstanceOf(ClassCastException.class).hasMessageContaining("argument 's' (string) is not an integer");
        assertThatThrownBy(() -> m.setInt(5, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argument 'a' (array) cannot take an int");
        assertThatThrownBy(() -> m.set(0, "x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot take String");
        m.set(0, 12);
        assertThat(m.intArg(0)).isEqualTo(12);
        assertThat(m.isModified()).isTrue();
    }

    /**
     * What the relay decodes per frame (attach, damage, commit: integers only) makes no garbage. Counted
     * with the thread's allocated bytes, not timed.
     */
    @Test
    void decodingIntegerMessagesIntoAReusedMessageAllocatesNothing() throws Throwable {
        MessageSpec flags = thing.message(true, "set_flags");
        MessageSpec create = factory.message(true, "create_thing");
        FdQueue fds = new FdQueue();
        Encoded two = Encoded.of(fds, new Message(8, flags, 0x11, -2), new Message(1, create, 100_000, 2));
        ByteBuffer wire = two.wire();
        int second = two.second();
        ByteBuffer out = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        Message reused = Message.reusable();
        AllocatedBytes allocated = new AllocatedBytes();
        long sum = 0;
        for (int round = 0; round < 2; round++) {
            long start = allocated.now();
            for (int i = 0; i < 10_000; i++) {
                sum += MessageCodec.decode(reused, wire, 0, flags, fds).intArg(0);
                Message m = MessageCodec.decode(reused, wire, second, create, fds);
                m.setInt(0, 100_000 + i);
                MessageCodec.encode(m, out.clear(), fds);
                sum += m.intArg(0);
            }
            long bytes = allocated.now() - start;
            if (round == 1) { // the first round warms up: class initialisation and the like allocate once
                // Boxing one argument per message would take 320,000 bytes here.
                assertThat(bytes).as("bytes allocated by 20,000 decodes, 10,000 edits and encodes").isLessThan(10_000);
            }
        }
        assertThat(sum).isNotZero();
    }


    /** Two messages encoded one after the other in a direct buffer, and where the second starts. */
    record Encoded(ByteBuffer wire, int second) {
        static Encoded of(FdQueue fds, Message first, Message second) throws WireException {
            ByteBuffer wire = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
            MessageCodec.encode(first, wire, fds);
            int at = wire.position();
            MessageCodec.encode(second, wire, fds);
            return new Encoded(wire.flip(), at);
        }
    }
}
