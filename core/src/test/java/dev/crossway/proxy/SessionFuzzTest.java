package dev.crossway.proxy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import dev.crossway.spi.FdQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * Whole in-memory sessions on hostile input ({@link FuzzRig}): from the client side (any bytes and fds a
 * guest app may send, each chunk dealt with before the next) and from the host side
 * (any events a compositor may send to a client that set up a window, a pool, a keyboard and a data
 * device). Whatever happens, the client is told nothing but protocol errors, the host gets only
 * well-formed messages, and the session ends without leaving an fd, a mapping, a host buffer or a thread.
 *
 * <p>Input: chunks of {@code [fds: 1 byte (low 2 bits)][length: u16][bytes]}.
 */
class SessionFuzzTest {
    /** After the registry's globals, a client that sets up what the host-driven harness aims at: a toplevel with a buffer, a keyboard, a pointer, a data device. */
    static final byte[] REGISTRY = encode(request(1, "wl_display", "get_registry", 2));
    static final byte[] PREAMBLE = encode(
            request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 5, 3)),
            request(2, "wl_registry", "bind", 2, new NewId("wl_shm", 1, 4)),
            request(2, "wl_registry", "bind", 3, new NewId("wl_seat", 7, 5)),
            request(2, "wl_registry", "bind", 4, new NewId("xdg_wm_base", 5, 6)),
            request(2, "wl_registry", "bind", 5, new NewId("wl_data_device_manager", 3, 7)),
            request(3, "wl_compositor", "create_surface", 8),
            request(6, "xdg_wm_base", "get_xdg_surface", 9, 8),
            request(9, "xdg_surface", "get_toplevel", 10),
            request(10, "xdg_toplevel", "set_title", "fuzz"),
            request(4, "wl_shm", "create_pool", 11, -1, 4096),
            request(11, "wl_shm_pool", "create_buffer", 12, 0, 16, 16, 64, 1),
            request(8, "wl_surface", "attach", 12, 0, 0),
            request(8, "wl_surface", "damage", 0, 0, 16, 16),
            request(8, "wl_surface", "commit"),
            request(5, "wl_seat", "get_keyboard", 13),
            request(5, "wl_seat", "get_pointer", 14),
            request(7, "wl_data_device_manager", "get_data_device", 15, 5));

    @FuzzTest(maxDuration = "30s")
    @Timeout(60)
    void fromTheClient(byte[] input) throws Exception {
        FuzzRig rig = new FuzzRig();
        try {
            ByteBuffer in = ByteBuffer.wrap(input);
            while (in.remaining() >= 3) {
                int fds = in.get() & 3;
                int length = Math.min(in.getShort() & 0x7ff, in.remaining());
                byte[] chunk = Arrays.copyOfRange(input, in.position(), in.position() + length);
                in.position(in.position() + length);
                rig.appSends(chunk, fds);
            }
        } finally {
            rig.finish();
        }
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(60)
    void fromTheHost(byte[] input) throws Exception {
        FuzzRig rig = new FuzzRig();
        try {
            rig.appSends(REGISTRY, 0); // the globals are there before the first bind, as for a real client
            rig.appSends(PREAMBLE, 1);
            ByteBuffer in = ByteBuffer.wrap(input);
            while (in.remaining() >= 3) {
                int fds = in.get() & 3;
                int length = Math.min(in.getShort() & 0x7ff, in.remaining());
                rig.hostSends(Arrays.copyOfRange(input, in.position(), in.position() + length), fds);
                in.position(in.position() + length);
            }
        } finally {
            rig.finish();
        }
    }

    static Message request(int id, String iface, String name, Object... args) {
        return new Message(id, FuzzRig.SCHEMA.require(iface).message(true, name), args);
    }

    static byte[] encode(Message... messages) {
        ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());
        try {
            for (Message m : messages) {
                MessageCodec.encode(m, b, new FdQueue());
            }
        } catch (dev.crossway.wire.WireException e) {
            throw new IllegalStateException(e);
        }
        return Arrays.copyOf(b.array(), b.position());
    }
}
