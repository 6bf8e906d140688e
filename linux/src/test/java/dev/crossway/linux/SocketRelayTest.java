package dev.crossway.linux;

import dev.crossway.linux.testing.OpenFds;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionListener;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.SessionStats;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wire-level relay tests in the style of waypipe's: the test plays both the app and the compositor
 * on real socketpairs, with real fds, and checks byte-exact forwarding and fd passing.
 */
@Timeout(30)
class SocketRelayTest {
    static Schema schema;

    UnixSocket app;
    UnixSocket compositor;
    Session session;
    final CountDownLatch closed = new CountDownLatch(1);
    volatile SessionStats finalStats;
    private Map<Integer, String> baselineFds;

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
    }

    void start() throws Exception {
        baselineFds = OpenFds.snapshot();
        UnixSocket[] client = UnixSocket.pair();
        UnixSocket[] host = UnixSocket.pair();
        app = client[0];
        compositor = host[1];
        RegistryPolicy policy = new RegistryPolicy(schema, Set.of(), Set.of(), Map.of(), m -> true);
        session = new Session(1, client[1], new SocketHostConnection(host[0], new Capabilities(true, true, 28, 65536)),
                new SessionOptions(schema, List.of(s -> new RegistryInterceptor(s, policy)), false, false),
                new SessionListener() {
                    @Override
                    public void sessionClosed(Session s, SessionStats stats) {
                        finalStats = stats;
                        closed.countDown();
                    }
                }, LinuxKernel.INSTANCE);
        session.start();
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
        if (app != null) {
            app.close();
            compositor.close();
        }
    }

    static Message request(int id, String iface, String name, Object... args) {
        Interface i = schema.require(iface);
        return new Message(id, i.message(true, name), args);
    }

    static Message event(int id, String iface, String name, Object... args) {
        Interface i = schema.require(iface);
        return new Message(id, i.message(false, name), args);
    }

    /** Encodes messages into a direct buffer; their fd arguments go into {@code fds}. */
    static ByteBuffer encode(FdQueue fds, Message... messages) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(65536).order(ByteOrder.nativeOrder());
        for (Message m : messages) {
            MessageCodec.encode(m, b, fds);
        }
        return b.flip();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Reads from {@code end} until {@code n} bytes arrived; fds go to {@code fds}. */
    static byte[] read(UnixSocket end, int n, FdQueue fds) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(65536);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < n) {
            b.clear();
            int got = end.receive(b, fds);
            if (got < 0) {
                break;
            }
            b.flip();
            byte[] chunk = new byte[got];
            b.get(chunk);
            out.write(chunk);
        }
        return out.toByteArray();
    }

    /** Binds wl_shm as object 3 through a registry at 2, with the compositor's help. */
    void bindShm() throws Exception {
        FdQueue none = new FdQueue();
        app.send(encode(none, request(1, "wl_display", "get_registry", 2)), none);
        read(compositor, 12, none);
        compositor.send(encode(none, event(2, "wl_registry", "global", 5, "wl_shm", 1)), none);
        read(app, 28, none);
        app.send(encode(none, request(2, "wl_registry", "bind", 5, new NewId("wl_shm", 1, 3))), none);
        read(compositor, 32, none);
    }

    @Test
    void requestsAndEventsArriveByteExact() throws Exception {
        start();
        FdQueue none = new FdQueue();
        ByteBuffer requests = encode(none, request(1, "wl_display", "sync", 2), request(1, "wl_display", "get_registry", 3));
        byte[] expected = bytes(requests);
        app.send(requests, none);
        assertThat(read(compositor, expected.length, none)).isEqualTo(expected);

        ByteBuffer events = encode(none, event(3, "wl_registry", "global", 1, "wl_compositor", 4),
                event(2, "wl_callback", "done", 7), event(1, "wl_display", "delete_id", 2));
        byte[] expectedEvents = bytes(events);
        compositor.send(events, none);
        assertThat(read(app, expectedEvents.length, none)).isEqualTo(expectedEvents);
    }

    @Test
    void aPoolFdCrossesAndTheCompositorSeesItsContent() throws Exception {
        start();
        bindShm();
        int memfd = Fds.memfd("pool", 4096);
        ByteBuffer map = Fds.map(memfd, 4096, true);
        map.put("pixels from the app".getBytes(StandardCharsets.US_ASCII));
        Fds.unmap(map);
        FdQueue fds = new FdQueue();
        ByteBuffer msg = encode(fds, request(3, "wl_shm", "create_pool", 4, memfd, 4096));
        byte[] expected = bytes(msg);
        app.send(msg, fds);
        FdQueue got = new FdQueue();
        assertThat(read(compositor, expected.length, got)).isEqualTo(expected);
        assertThat(got.size()).isEqualTo(1);
        int received = got.take();
        ByteBuffer seen = Fds.map(received, 4096, false);
        byte[] text = new byte[19];
        seen.get(0, text);
        Fds.unmap(seen);
        Fds.close(received);
        assertThat(new String(text, StandardCharsets.US_ASCII)).isEqualTo("pixels from the app");
    }

    @Test
    void manyFdsAreSplitIntoSendsOfAtMost28AndArriveInOrder() throws Exception {
        start();
        bindShm();
        int count = 40;
        FdQueue fds = new FdQueue();
        Message[] pools = new Message[count];
        for (int i = 0; i < count; i++) {
            int memfd = Fds.memfd("pool" + i, 4096);
            ByteBuffer map = Fds.map(memfd, 4096, true);
            map.putInt(0, i);
            Fds.unmap(map);
            pools[i] = request(3, "wl_shm", "create_pool", 10 + i, memfd, 4096);
        }
        ByteBuffer msgs = encode(fds, pools);
        byte[] expected = bytes(msgs);
        app.send(msgs, fds);
        FdQueue got = new FdQueue();
        assertThat(read(compositor, expected.length, got)).isEqualTo(expected);
        assertThat(got.size()).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            int fd = got.take();
            ByteBuffer seen = Fds.map(fd, 4096, false);
            assertThat(seen.getInt(0)).as("fd %d carries pool %d", i, i).isEqualTo(i);
            Fds.unmap(seen);
            Fds.close(fd);
        }
        assertThat(session.stats().sends()).as("40 fds need at least two sends").isGreaterThanOrEqualTo(2);
    }

    @Test
    void aKeymapFdFromTheCompositorReachesTheApp() throws Exception {
        start();
        FdQueue none = new FdQueue();
        app.send(encode(none, request(1, "wl_display", "get_registry", 2)), none);
        read(compositor, 12, none);
        compositor.send(encode(none, event(2, "wl_registry", "global", 9, "wl_seat", 7)), none);
        read(app, 28, none);
        app.send(encode(none, request(2, "wl_registry", "bind", 9, new NewId("wl_seat", 7, 3)),
                request(3, "wl_seat", "get_keyboard", 4)), none);
        read(compositor, 32 + 12, none);
        int keymap = Fds.memfd("keymap", 64);
        ByteBuffer map = Fds.map(keymap, 64, true);
        map.put("xkb_keymap {};".getBytes(StandardCharsets.US_ASCII));
        Fds.unmap(map);
        FdQueue fds = new FdQueue();
        ByteBuffer ev = encode(fds, event(4, "wl_keyboard", "keymap", 1, keymap, 64));
        byte[] expected = bytes(ev);
        compositor.send(ev, fds);
        FdQueue got = new FdQueue();
        assertThat(read(app, expected.length, got)).isEqualTo(expected);
        int fd = got.take();
        assertThat(Fds.size(fd)).isEqualTo(64);
        Fds.close(fd);
    }

    @Test
    void fdCountReturnsToBaselineWhenTheSessionEnds() throws Exception {
        start();
        bindShm();
        FdQueue fds = new FdQueue();
        app.send(encode(fds, request(3, "wl_shm", "create_pool", 4, Fds.memfd("pool", 4096), 4096)), fds);
        FdQueue got = new FdQueue();
        read(compositor, 16, got);
        got.closeAll(Fds.CLOSER);
        app.close();
        compositor.close();
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        OpenFds.assertNoneOpenedSince(baselineFds, Duration.ofSeconds(2));
        assertThat(finalStats.requests()).as("get_registry, bind, create_pool").isEqualTo(3);
    }

    @Test
    void appHangUpClosesTheCompositorSide() throws Exception {
        start();
        app.close();
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        assertThat(compositor.receive(b, new FdQueue())).isEqualTo(-1);
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aMalformedAppGetsAnErrorAndTheCompositorNeverSeesTheBadBytes() throws Exception {
        start();
        ByteBuffer bad = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putInt(1).putInt(2 << 16).flip();
        app.send(bad, new FdQueue());
        FdQueue none = new FdQueue();
        byte[] reply = read(app, 8, none);
        ByteBuffer r = ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder());
        assertThat(r.getInt(0)).isEqualTo(1);
        assertThat(r.getInt(4) & 0xffff).as("wl_display.error").isZero();
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        assertThat(compositor.receive(b, new FdQueue())).isEqualTo(-1);
    }
}
