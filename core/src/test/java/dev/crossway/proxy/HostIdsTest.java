package dev.crossway.proxy;

import static dev.crossway.proxy.SessionTest.decodeAll;
import static dev.crossway.proxy.SessionTest.drain;
import static dev.crossway.proxy.SessionTest.encode;
import static dev.crossway.proxy.SessionTest.event;
import static dev.crossway.proxy.SessionTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.NewId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Object ids on the host connection when Crossway keeps objects of its own there and some of the
 * client's to itself: the compositor sees dense ids in order, the client sees its own, and each side's
 * delete_id frees what it should.
 */
class HostIdsTest {
    static final Capabilities CAPS = new Capabilities(false, true, 28, 65536);

    MemoryConnection app;
    MemoryConnection compositor;
    Session session;
    final RecordingKernel kernel = new RecordingKernel();
    final CountDownLatch closed = new CountDownLatch(1);
    /** Callbacks of Crossway's own that got their done event. */
    final List<Integer> ownDone = new CopyOnWriteArrayList<>();

    /**
     * Before each client {@code wl_display.sync}, syncs once itself (an object of its own on the host);
     * keeps {@code wl_compositor.create_region} and its regions to itself.
     */
    final class OwnObjects implements Interceptor {
        @Override
        public List<Hook> hooks() {
            return List.of(Hook.request("wl_display", "sync"), Hook.event("wl_callback", "done"),
                    Hook.request("wl_compositor", "create_region"), Hook.request("wl_region", "destroy"),
                    Hook.request("wl_region", "add"));
        }

        @Override
        public boolean createsHostObjects() {
            return true;
        }

        @Override
        public void intercept(Chain chain) throws ProtocolError {
            Message m = chain.message();
            Session s = chain.session();
            switch (m.spec().qualifiedName()) {
                case "wl_display.sync" -> {
                    int own = s.newOwnObject("wl_callback", 1);
                    try {
                        s.inject(Direction.REQUEST, new Message(1, m.spec(), own));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    chain.proceed(m);
                }
                case "wl_callback.done" -> {
                    if (ObjectTable.isOwn(m.objectId())) {
                        ownDone.add(m.objectId());
                    } else {
                        chain.proceed(m);
                    }
                }
                case "wl_compositor.create_region", "wl_region.destroy", "wl_region.add" -> s.consume(m);
                default -> chain.proceed(m);
            }
        }
    }

    @BeforeAll
    static void loadSchema() {
        SessionTest.schema = SchemaLoader.loadBundled();
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    void start() {
        MemoryConnection[] client = MemoryConnection.pair(CAPS);
        MemoryConnection[] host = MemoryConnection.pair(CAPS);
        app = client[0];
        compositor = host[1];
        session = new Session(1, client[1], host[0], new SessionOptions(SessionTest.schema, List.of(s -> new OwnObjects()), false, false),
                new SessionListener() {
                    @Override
                    public void sessionClosed(Session s, SessionStats stats) {
                        closed.countDown();
                    }
                }, kernel);
        session.start();
    }

    void appSends(Message... messages) throws Exception {
        app.send(encode(messages), new FdQueue());
    }

    void compositorSends(Message... messages) throws Exception {
        compositor.send(encode(messages), new FdQueue());
    }

    /** Starts the session, and the app gets a registry (2) that offers wl_compositor as global 1. */
    void startWithACompositorGlobal() throws Exception {
        start();
        appSends(request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", 1, "wl_compositor", 4));
        drain(app, new ArrayList<>());
    }

    @Test
    void compositorSeesDenseIdsAndEachSideSeesOnlyItsOwn() throws Exception {
        startWithACompositorGlobal();
        // Client ids 3 (bound compositor), 4 (a region kept by Crossway), 5 (a callback).
        appSends(request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 4, 3)),
                request(3, "wl_compositor", "create_region", 4),
                request(4, "wl_region", "add", 0, 0, 10, 10),
                request(1, "wl_display", "sync", 5),
                request(3, "wl_compositor", "create_surface", 6));
        List<Message> got = decodeAll(drain(compositor, new ArrayList<>()), false,
                Map.of(1, "wl_display", 2, "wl_registry", 3, "wl_compositor"));
        // Host ids: 2 registry, 3 compositor, then Crossway's own callback 4, the client's callback 5, surface 6.
        assertThat(got).extracting(m -> m.spec().qualifiedName()).containsExactly("wl_registry.bind", "wl_display.sync",
                "wl_display.sync", "wl_compositor.create_surface");
        assertThat(got.get(0).newIdArg(1).id()).isEqualTo(3);
        assertThat(got.get(1).intArg(0)).as("Crossway's own callback").isEqualTo(4);
        assertThat(got.get(2).intArg(0)).as("the client's callback 5").isEqualTo(5);
        assertThat(got.get(3).objectId()).as("wl_compositor 3 keeps host id 3").isEqualTo(3);
        assertThat(got.get(3).intArg(0)).as("the client's surface 6").isEqualTo(6);

        // The host answers both callbacks and frees their ids: the client hears only of its own.
        compositorSends(event(4, "wl_callback", "done", 7), event(1, "wl_display", "delete_id", 4),
                event(5, "wl_callback", "done", 8), event(1, "wl_display", "delete_id", 5));
        List<Message> events = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display", 5, "wl_callback"));
        assertThat(events).extracting(m -> m.spec().qualifiedName() + "@" + m.objectId() + " " + m.intArg(0))
                .containsExactly("wl_callback.done@5 8", "wl_display.delete_id@1 5");
        assertThat(ownDone).containsExactly(ObjectTable.OWN_ID_START);
        assertThat(session.objects().get(ObjectTable.OWN_ID_START)).as("own id freed by the host's delete_id").isNull();

        // The region never reached the host; its destroy is answered by Crossway.
        appSends(request(4, "wl_region", "destroy"));
        events = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(events).extracting(m -> m.spec().qualifiedName() + " " + m.intArg(0)).containsExactly("wl_display.delete_id 4");
        assertThat(session.objects().get(4)).isNull();

        // Freed host ids come back last-freed first, as libwayland-client reuses them: 5, then 4.
        appSends(request(1, "wl_display", "sync", 4), request(3, "wl_compositor", "create_surface", 5));
        got = decodeAll(drain(compositor, new ArrayList<>()), false, Map.of(1, "wl_display", 3, "wl_compositor"));
        assertThat(got).extracting(m -> m.spec().qualifiedName() + " " + m.intArg(0))
                .containsExactly("wl_display.sync 5", "wl_display.sync 4", "wl_compositor.create_surface 7");

        // Events naming objects come back in client ids: wl_surface 6 is host 6, the callback 4 is host 4.
        compositorSends(event(4, "wl_callback", "done", 9));
        events = decodeAll(drain(app, new ArrayList<>()), true, Map.of(4, "wl_callback"));
        assertThat(events).extracting(m -> m.objectId() + " " + m.intArg(0)).containsExactly("4 9");
    }

    /** What Crossway answers for requests of one batch (here three delete_ids) reaches the client in one send. */
    @Test
    void answersToOneBatchLeaveTogether() throws Exception {
        startWithACompositorGlobal();
        appSends(request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 4, 3)),
                request(3, "wl_compositor", "create_region", 4), request(3, "wl_compositor", "create_region", 5),
                request(3, "wl_compositor", "create_region", 6));
        drain(compositor, new ArrayList<>());
        appSends(request(4, "wl_region", "destroy"), request(5, "wl_region", "destroy"), request(6, "wl_region", "destroy"));
        MemoryConnection.Chunk chunk = app.next(2000);
        assertThat(chunk).isNotNull();
        List<Message> got = decodeAll(chunk.bytes(), true, Map.of(1, "wl_display"));
        assertThat(got).extracting(m -> m.spec().name() + " " + m.intArg(0)).containsExactly("delete_id 4", "delete_id 5", "delete_id 6");
    }

    @Test
    void clientNamingCrosswaysOwnObjectIsAnUnknownObject() throws Exception {
        start();
        appSends(request(1, "wl_display", "sync", 2));
        drain(compositor, new ArrayList<>());
        assertThat(session.objects().get(ObjectTable.OWN_ID_START)).isNotNull();
        appSends(new Message(ObjectTable.OWN_ID_START, SessionTest.schema.require("wl_callback").event(0), 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).spec().qualifiedName()).isEqualTo("wl_display.error");
        assertThat(got.get(0).stringArg(2)).isEqualTo("request for unknown object " + Integer.toUnsignedString(ObjectTable.OWN_ID_START));
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anObjectKeptByCrosswayCannotBePassedToTheHost() throws Exception {
        startWithACompositorGlobal();
        appSends(request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 4, 3)),
                request(3, "wl_compositor", "create_region", 4),
                request(3, "wl_compositor", "create_surface", 5),
                request(5, "wl_surface", "set_opaque_region", 4));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).intArg(0)).isEqualTo(5);
        assertThat(got.get(0).stringArg(2)).isEqualTo("wl_surface.set_opaque_region: object 4 exists only inside Crossway"
                + " (guest memory is separate from the host's), so it cannot be passed to the host compositor");
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
    }

    /** A raw request too short for its arguments cannot be rewritten: the client gets an error, nothing reaches the host. */
    @Test
    void aRequestTooShortForItsIdsIsAProtocolError() throws Exception {
        startWithACompositorGlobal();
        appSends(request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 4, 3)),
                request(3, "wl_compositor", "create_surface", 4));
        drain(compositor, new ArrayList<>());
        int attach = SessionTest.schema.require("wl_surface").message(true, "attach").opcode();
        app.send(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putInt(4).putInt(8 << 16 | attach).flip(),
                new FdQueue());
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).intArg(1)).isEqualTo(ProtocolError.INVALID_METHOD);
        assertThat(got.get(0).stringArg(2)).isEqualTo("wl_surface.attach: 8 bytes, but its arguments take 20");
        assertThat(drain(compositor, new ArrayList<>())).isEmpty();
    }

    @Test
    void hostNamingAnIdItNeverHadEndsTheClientWithAnError() throws Exception {
        start();
        compositorSends(event(9, "wl_callback", "done", 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got.get(0).stringArg(2)).contains("event for unknown object 9");
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
    }
}
