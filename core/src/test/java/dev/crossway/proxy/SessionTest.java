package dev.crossway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.intercept.TitleTagInterceptor;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The relay between an app and a compositor that the test plays, over in-memory connections. */
class SessionTest {
    static final Capabilities CAPS = new Capabilities(true, true, 28, 65536);
    static Schema schema;

    MemoryConnection app;
    MemoryConnection compositor;
    Session session;
    final RecordingKernel kernel = new RecordingKernel();
    final CountDownLatch closed = new CountDownLatch(1);

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
    }

    void start(InterceptorFactory... extra) {
        MemoryConnection[] client = MemoryConnection.pair(CAPS);
        MemoryConnection[] host = MemoryConnection.pair(CAPS);
        app = client[0];
        compositor = host[1];
        RegistryPolicy policy = new RegistryPolicy(schema, Set.of(), Set.of("wp_presentation"), Map.of("wl_compositor", 4), m -> true);
        List<InterceptorFactory> interceptors = new ArrayList<>();
        interceptors.add(s -> new RegistryInterceptor(s, policy));
        interceptors.addAll(List.of(extra));
        session = new Session(1, client[1], host[0], new SessionOptions(schema, interceptors, false, false), new SessionListener() {
            @Override
            public void sessionClosed(Session s, SessionStats stats) {
                closed.countDown();
            }
        }, kernel);
        session.start();
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    static ByteBuffer encode(Message... messages) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16384).order(ByteOrder.nativeOrder());
        FdQueue fds = new FdQueue();
        for (Message m : messages) {
            MessageCodec.encode(m, b, fds);
        }
        return b.flip();
    }

    static Message request(int id, String iface, String name, Object... args) {
        Interface i = schema.require(iface);
        return new Message(id, i.message(true, name), args);
    }

    static Message event(int id, String iface, String name, Object... args) {
        Interface i = schema.require(iface);
        return new Message(id, i.message(false, name), args);
    }

    void appSends(int[] fds, Message... messages) throws Exception {
        app.send(encode(messages), fds(fds));
    }

    /** A queue holding {@code fds}, in order. */
    static FdQueue fds(int... fds) {
        FdQueue q = new FdQueue();
        for (int fd : fds) {
            q.add(fd);
        }
        return q;
    }

    void compositorSends(Message... messages) throws Exception {
        compositor.send(encode(messages), new FdQueue());
    }

    /** Everything that arrives at {@code end} within a short time, concatenated. */
    static byte[] drain(MemoryConnection end, List<Integer> fdsOut) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        MemoryConnection.Chunk c = end.next(2000);
        while (c != null && !MemoryConnection.isEof(c)) {
            out.write(c.bytes());
            for (int fd : c.fds()) {
                fdsOut.add(fd);
            }
            c = end.next(200);
        }
        return out.toByteArray();
    }

    static List<Message> decodeAll(byte[] bytes, boolean events, Map<Integer, String> ifaceById) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        List<Message> out = new ArrayList<>();
        FdQueue fds = new FdQueue();
        for (int i = 0; i < 64; i++) {
            fds.add(-1);
        }
        while (b.remaining() >= 8) {
            int pos = b.position();
            int id = b.getInt(pos);
            int op = b.getInt(pos + 4) & 0xffff;
            int size = b.getInt(pos + 4) >>> 16;
            Interface iface = schema.require(ifaceById.get(id));
            out.add(MessageCodec.decode(b, pos, events ? iface.event(op) : iface.request(op), fds));
            b.position(pos + size);
        }
        return out;
    }

    @Test
    void untouchedRequestsReachTheCompositorByteExact() throws Exception {
        start();
        ByteBuffer sent = encode(request(1, "wl_display", "sync", 2), request(1, "wl_display", "get_registry", 3));
        byte[] expected = new byte[sent.remaining()];
        sent.duplicate().get(expected);
        app.send(sent, new FdQueue());
        assertThat(drain(compositor, new ArrayList<>())).isEqualTo(expected);
    }

    @Test
    void eventsReachTheAppByteExactAndDeleteIdForgetsTheObject() throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "sync", 2));
        drain(compositor, new ArrayList<>());
        assertThat(session.objects().get(2).iface().name()).isEqualTo("wl_callback");
        ByteBuffer events = encode(event(2, "wl_callback", "done", 55), event(1, "wl_display", "delete_id", 2));
        byte[] expected = new byte[events.remaining()];
        events.duplicate().get(expected);
        compositor.send(events, new FdQueue());
        assertThat(drain(app, new ArrayList<>())).isEqualTo(expected);
        assertThat(session.objects().get(2)).isNull();
    }

    @Test
    void registryHidesGlobalsOutsideTheSchemaOrDeniedAndCapsVersions() throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", 1, "wl_compositor", 6),
                event(2, "wl_registry", "global", 2, "weston_debug_v1", 1),
                event(2, "wl_registry", "global", 3, "wp_presentation", 1),
                event(2, "wl_registry", "global", 4, "wl_shm", 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(got).extracting(m -> m.stringArg(1) + " v" + m.intArg(2)).containsExactly("wl_compositor v4", "wl_shm v1");
        assertThat(session.stats().hiddenGlobals()).containsExactly("weston_debug_v1", "wp_presentation");
        // global_remove of a hidden global is not relayed; of a shown one it is.
        compositorSends(event(2, "wl_registry", "global_remove", 2), event(2, "wl_registry", "global_remove", 4));
        got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(got).extracting(m -> m.spec().name() + " " + m.intArg(0)).containsExactly("global_remove 4");
    }

    @Test
    void bindingAHiddenGlobalEndsTheClientWithAProtocolError() throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", 2, "weston_debug_v1", 1));
        drain(app, new ArrayList<>());
        appSends(new int[0], request(2, "wl_registry", "bind", 2, new NewId("weston_debug_v1", 1, 3)));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).spec().name()).isEqualTo("error");
        assertThat(got.get(0).intArg(0)).isEqualTo(2);
        assertThat(got.get(0).intArg(1)).isEqualTo(ProtocolError.INVALID_OBJECT);
        assertThat(got.get(0).stringArg(2)).isEqualTo("invalid global weston_debug_v1 (2)");
        assertThat(closed.await(2, TimeUnit.SECONDS)).as("session closes").isTrue();
        byte[] toHost = drain(compositor, new ArrayList<>());
        assertThat(toHost).as("the bind never reached the compositor").isEmpty();
    }

    @Test
    void bindAboveTheShownVersionIsAProtocolError() throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", 1, "wl_compositor", 6));
        drain(app, new ArrayList<>());
        appSends(new int[0], request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 5, 3)));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).stringArg(2)).isEqualTo("invalid version for global wl_compositor (1): have 5, wanted 1 to 4");
    }

    @Test
    void requestToAnUnknownObjectIsAnInvalidObjectError() throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "sync", 2));
        drain(compositor, new ArrayList<>());
        app.send(encode(new Message(40, schema.require("wl_callback").event(0), 1)), new FdQueue());
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).intArg(0)).isEqualTo(40);
        assertThat(got.get(0).intArg(1)).isEqualTo(ProtocolError.INVALID_OBJECT);
        assertThat(got.get(0).stringArg(2)).isEqualTo("request for unknown object 40");
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
    }

    /** Ids from 0x80000000 are negative as Java ints; each one is refused with a protocol error, never an exception. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0x80000000, 0xa0000000, 0xfeffffff, ObjectTable.MAX_IDS, 65537})
    void newIdOutOfRangeIsAnInvalidObjectErrorWithoutExceptionText(int id) throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "sync", id));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).intArg(0)).isEqualTo(1);
        assertThat(got.get(0).intArg(1)).isEqualTo(ProtocolError.INVALID_OBJECT);
        assertThat(got.get(0).stringArg(2)).isEqualTo("wl_display.sync: new id " + Integer.toUnsignedString(id)
                + " is out of range: a client may hold at most 65536 objects, with ids 1 to 65536"
                + " (raise crossway.limits.objects-per-client, --objects-per-client)");
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(drain(compositor, new ArrayList<>())).as("nothing reached the compositor").isEmpty();
    }

    @Test
    void unknownOpcodeIsAnInvalidMethodError() throws Exception {
        start();
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(1).putInt((8 << 16) | 9).flip();
        app.send(b, new FdQueue());
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).intArg(1)).isEqualTo(ProtocolError.INVALID_METHOD);
        assertThat(got.get(0).stringArg(2)).isEqualTo("wl_display@1 has no request with opcode 9");
    }

    @Test
    void malformedSizeIsAProtocolErrorAndOtherSessionsAreUntouched() throws Exception {
        start();
        MemoryConnection firstApp = app;
        Session first = session;
        start();
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(1).putInt(10 << 16).flip();
        firstApp.send(b, new FdQueue());
        List<Message> got = decodeAll(drain(firstApp, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).stringArg(2)).isEqualTo("message size 10 is not a multiple of 4");
        assertThat(first.isClosed()).isTrue();
        assertThat(session.isClosed()).isFalse();
        appSends(new int[0], request(1, "wl_display", "sync", 2));
        assertThat(drain(compositor, new ArrayList<>())).hasSize(12);
    }

    @Test
    void fdsTravelWithTheirMessage() throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", 7, "wl_shm", 1));
        drain(app, new ArrayList<>());
        appSends(new int[0], request(2, "wl_registry", "bind", 7, new NewId("wl_shm", 1, 3)));
        appSends(new int[] {77}, request(3, "wl_shm", "create_pool", 4, 77, 4096));
        List<Integer> fds = new ArrayList<>();
        byte[] got = drain(compositor, fds);
        assertThat(fds).containsExactly(77);
        List<Message> msgs = decodeAll(got, false, Map.of(1, "wl_display", 2, "wl_registry", 3, "wl_shm"));
        assertThat(msgs).extracting(m -> m.spec().name()).containsExactly("bind", "create_pool");
        assertThat(session.objects().get(4).iface().name()).isEqualTo("wl_shm_pool");
    }

    @Test
    void titlesAreTagged() throws Exception {
        TitleTagInterceptor tags = new TitleTagInterceptor("[vm] ", "vm.");
        start(s -> tags);
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", 1, "xdg_wm_base", 5), event(2, "wl_registry", "global", 2, "wl_compositor", 4));
        drain(app, new ArrayList<>());
        long sendsBefore = session.stats().sends();
        appSends(new int[0], request(2, "wl_registry", "bind", 1, new NewId("xdg_wm_base", 1, 3)),
                request(2, "wl_registry", "bind", 2, new NewId("wl_compositor", 4, 4)),
                request(4, "wl_compositor", "create_surface", 5),
                request(3, "xdg_wm_base", "get_xdg_surface", 6, 5),
                request(6, "xdg_surface", "get_toplevel", 7),
                request(7, "xdg_toplevel", "set_title", "foo"),
                request(7, "xdg_toplevel", "set_app_id", "org.example"));
        List<Message> msgs = decodeAll(drain(compositor, new ArrayList<>()), false,
                Map.of(1, "wl_display", 2, "wl_registry", 3, "xdg_wm_base", 4, "wl_compositor", 6, "xdg_surface", 7, "xdg_toplevel"));
        assertThat(msgs.get(msgs.size() - 2).stringArg(0)).isEqualTo("[vm] foo");
        assertThat(msgs.get(msgs.size() - 1).stringArg(0)).isEqualTo("vm.org.example");
        assertThat(session.stats().sends() - sendsBefore).as("rewritten and untouched messages of one batch leave in one send")
                .isEqualTo(1);
    }

    @Test
    void manyMessagesReceivedTogetherLeaveInOneSend() throws Exception {
        start();
        Message[] syncs = new Message[100];
        for (int i = 0; i < syncs.length; i++) {
            syncs[i] = request(1, "wl_display", "sync", 2 + i);
        }
        appSends(new int[0], syncs);
        assertThat(drain(compositor, new ArrayList<>())).hasSize(1200);
        assertThat(session.stats().sends()).isEqualTo(1);
    }

    @Test
    void interceptorThatProceedsTwiceIsNamedAndOnlyItsClientEnds() throws Exception {
        Interceptor twice = new Interceptor() {
            @Override
            public List<Hook> hooks() {
                return List.of(Hook.request("wl_display", "sync"));
            }

            @Override
            public void intercept(Chain chain) throws ProtocolError {
                chain.proceed(chain.message());
                chain.proceed(chain.message());
            }
        };
        start(s -> twice);
        appSends(new int[0], request(1, "wl_display", "sync", 2));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        // The client learns an incident number only; the log has the exception, which names the interceptor.
        assertThat(got.get(0).intArg(1)).isEqualTo(ProtocolError.IMPLEMENTATION);
        assertThat(got.get(0).stringArg(2)).matches("Crossway internal error \\(incident \\d+\\): this client was disconnected;"
                + " the daemon's log has the details");
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(session.endedInError()).isTrue();
    }

    @Test
    void droppedMessagesCloseTheirFds() throws Exception {
        Interceptor dropPools = new Interceptor() {
            @Override
            public List<Hook> hooks() {
                return List.of(Hook.request("wl_shm", "create_pool"));
            }

            @Override
            public void intercept(Chain chain) {
            }
        };
        start(s -> dropPools);
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", 7, "wl_shm", 1));
        drain(app, new ArrayList<>());
        appSends(new int[] {91}, request(2, "wl_registry", "bind", 7, new NewId("wl_shm", 1, 3)),
                request(3, "wl_shm", "create_pool", 4, 91, 4096));
        List<Integer> fds = new ArrayList<>();
        drain(compositor, fds);
        assertThat(fds).isEmpty();
        assertThat(kernel.closed).containsExactly(91);
    }

    @Test
    void compositorHangUpClosesTheClient() throws Exception {
        start();
        compositor.close();
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(MemoryConnection.isEof(app.next(1000))).isTrue();
    }
}
