package dev.crossway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.intercept.PrimarySelectionAliasInterceptor;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
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

/**
 * {@code gtk_primary_selection_device_manager} offered as an alias of the host's
 * {@code zwp_primary_selection_device_manager_v1}, over in-memory connections, with the interceptor
 * wired as the daemon wires it (before the registry interceptor).
 */
class PrimarySelectionAliasTest {
    static final Capabilities CAPS = new Capabilities(true, true, 28, 65536);
    static final String ZWP = "zwp_primary_selection_device_manager_v1";
    static final String GTK = "gtk_primary_selection_device_manager";
    static final int ZWP_NAME = 25;
    static final int ALIAS = ZWP_NAME | PrimarySelectionAliasInterceptor.ALIAS_BIT;
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

    void start(Set<String> deny) {
        MemoryConnection[] client = MemoryConnection.pair(CAPS);
        MemoryConnection[] host = MemoryConnection.pair(CAPS);
        app = client[0];
        compositor = host[1];
        RegistryPolicy policy = new RegistryPolicy(schema, Set.of(), deny, Map.of(), m -> true);
        List<InterceptorFactory> interceptors = List.of(s -> new PrimarySelectionAliasInterceptor(s, policy),
                s -> new RegistryInterceptor(s, policy));
        session = new Session(1, client[1], host[0], new SessionOptions(schema, interceptors, false, false), new SessionListener() {
            @Override
            public void sessionClosed(Session s, SessionStats stats) {
                closed.countDown();
            }
        }, kernel);
        session.start();
    }

    void start() throws Exception {
        start(Set.of());
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    /** The alias forwards every later message as bytes, which is right only while the twins match message for message. */
    @Test
    void gtkInterfacesOfTheTableAreTheZwpOnesUnderGtkNames() {
        Map<String, String> twins = Map.of(ZWP, GTK, "zwp_primary_selection_device_v1", "gtk_primary_selection_device",
                "zwp_primary_selection_offer_v1", "gtk_primary_selection_offer",
                "zwp_primary_selection_source_v1", "gtk_primary_selection_source");
        twins.forEach((zwpName, gtkName) -> {
            Interface zwp = schema.require(zwpName);
            Interface gtk = schema.require(gtkName);
            assertThat(gtk.version()).isEqualTo(zwp.version());
            assertThat(describe(gtk.requests())).isEqualTo(describe(zwp.requests()).replace("zwp_", "gtk_").replace("_v1", ""));
            assertThat(describe(gtk.events())).isEqualTo(describe(zwp.events()).replace("zwp_", "gtk_").replace("_v1", ""));
        });
        assertThat(schema.require("gtk_primary_selection_offer").message(true, "receive").fdCount()).isEqualTo(1);
    }

    @Test
    void aliasIsOfferedNextToTheZwpGlobalUnderANameWithTheHighBit() throws Exception {
        start();
        compositorSends(event(2, "wl_registry", "global", 4, "wl_shm", 1),
                event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(got).extracting(m -> Integer.toUnsignedString(m.intArg(0)) + " " + m.stringArg(1) + " v" + m.intArg(2))
                .containsExactly("4 wl_shm v1", "25 " + ZWP + " v1", Integer.toUnsignedString(ALIAS) + " " + GTK + " v1");
    }

    @Test
    void bindingTheAliasBindsTheZwpGlobalAndTheClientsObjectsAreGtk() throws Exception {
        start();
        compositorSends(event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1));
        drain(app, new ArrayList<>());

        appSends(new int[0], request(2, "wl_registry", "bind", ALIAS, new NewId(GTK, 1, 3)));
        List<Message> binds = decodeAll(drain(compositor, new ArrayList<>()), false, Map.of(2, "wl_registry"));
        assertThat(binds).extracting(m -> m.intArg(0) + " " + m.newIdArg(1)).containsExactly("25 " + new NewId(ZWP, 1, 3));
        assertThat(session.objects().get(3).iface().name()).isEqualTo(GTK);

        // Later requests pass as the client's bytes; the objects they create are gtk ones.
        ByteBuffer createSource = encode(request(3, GTK, "create_source", 4), request(4, "gtk_primary_selection_source", "offer",
                "text/plain"));
        byte[] sent = new byte[createSource.remaining()];
        createSource.duplicate().get(sent);
        app.send(createSource, new FdQueue());
        assertThat(drain(compositor, new ArrayList<>())).isEqualTo(sent);
        assertThat(session.objects().get(4).iface().name()).isEqualTo("gtk_primary_selection_source");

        // The compositor asks the source for data: the event and its pipe reach the app.
        FdQueue pipe = new FdQueue();
        pipe.add(91);
        compositor.send(encode(event(4, "zwp_primary_selection_source_v1", "send", "text/plain", 91)), pipe);
        List<Integer> fds = new ArrayList<>();
        List<Message> toApp = decodeAll(drain(app, fds), true, Map.of(4, "gtk_primary_selection_source"));
        assertThat(toApp).extracting(m -> m.spec().qualifiedName() + " " + m.stringArg(0))
                .containsExactly("gtk_primary_selection_source.send text/plain");
        assertThat(fds).containsExactly(91);
    }

    @Test
    void bindingTheAliasAboveItsVersionIsAProtocolError() throws Exception {
        start();
        compositorSends(event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1));
        drain(app, new ArrayList<>());
        appSends(new int[0], request(2, "wl_registry", "bind", ALIAS, new NewId(GTK, 2, 3)));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got).extracting(m -> m.spec().name() + ": " + m.stringArg(2))
                .containsExactly("error: invalid version for global " + GTK + " (" + Integer.toUnsignedString(ALIAS) + "): have 2, wanted 1 to 1");
        assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(drain(compositor, new ArrayList<>())).as("nothing reached the compositor").isEmpty();
    }

    @Test
    void removingTheZwpGlobalRemovesTheAliasToo() throws Exception {
        start();
        compositorSends(event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1));
        drain(app, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global_remove", ZWP_NAME));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(got).extracting(m -> m.spec().name() + " " + Integer.toUnsignedString(m.intArg(0)))
                .containsExactly("global_remove 25", "global_remove " + Integer.toUnsignedString(ALIAS));

        // A bind of the removed alias is refused like a bind of any removed global.
        appSends(new int[0], request(2, "wl_registry", "bind", ALIAS, new NewId(GTK, 1, 3)));
        got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(1, "wl_display"));
        assertThat(got).extracting(m -> m.spec().name()).containsExactly("error");
        assertThat(drain(compositor, new ArrayList<>())).isEmpty();
    }

    @Test
    void noAliasWhenTheHostOffersTheGtkGlobalItself() throws Exception {
        start();
        compositorSends(event(2, "wl_registry", "global", 30, GTK, 1), event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(got).extracting(m -> m.intArg(0) + " " + m.stringArg(1)).containsExactly("30 " + GTK, "25 " + ZWP);
        // Binding the host's gtk global is an ordinary bind.
        appSends(new int[0], request(2, "wl_registry", "bind", 30, new NewId(GTK, 1, 3)));
        List<Message> binds = decodeAll(drain(compositor, new ArrayList<>()), false, Map.of(2, "wl_registry"));
        assertThat(binds).extracting(m -> m.intArg(0) + " " + m.newIdArg(1)).containsExactly("30 " + new NewId(GTK, 1, 3));
    }

    @Test
    void aHostGtkGlobalAnnouncedLaterReplacesTheAlias() throws Exception {
        start();
        compositorSends(event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1), event(2, "wl_registry", "global", 30, GTK, 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(got).extracting(m -> m.spec().name() + " " + Integer.toUnsignedString(m.intArg(0)))
                .containsExactly("global 25", "global " + Integer.toUnsignedString(ALIAS), "global_remove "
                        + Integer.toUnsignedString(ALIAS), "global 30");
    }

    @Test
    void deniedGtkInterfaceGetsNoAlias() throws Exception {
        start(Set.of(GTK));
        appSends(new int[0], request(1, "wl_display", "get_registry", 2));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry"));
        assertThat(got).extracting(m -> m.stringArg(1)).containsExactly(ZWP);
    }

    @Test
    void everyRegistryOfTheClientHearsOfTheAlias() throws Exception {
        start();
        appSends(new int[0], request(1, "wl_display", "get_registry", 5));
        drain(compositor, new ArrayList<>());
        compositorSends(event(2, "wl_registry", "global", ZWP_NAME, ZWP, 1), event(5, "wl_registry", "global", ZWP_NAME, ZWP, 1));
        List<Message> got = decodeAll(drain(app, new ArrayList<>()), true, Map.of(2, "wl_registry", 5, "wl_registry"));
        assertThat(got).extracting(m -> m.objectId() + ":" + m.stringArg(1)).containsExactly("2:" + ZWP, "2:" + GTK, "5:" + ZWP,
                "5:" + GTK);
    }

    private static String describe(List<MessageSpec> messages) {
        StringBuilder sb = new StringBuilder();
        for (MessageSpec m : messages) {
            sb.append(m.opcode()).append(' ').append(m.name()).append(m.isDestructor() ? " destructor" : "").append(" since ")
                    .append(m.since()).append(" (");
            for (Arg a : m.args()) {
                sb.append(a.name()).append(':').append(a.type().xmlName()).append(':').append(a.interfaceName())
                        .append(a.nullable() ? "?" : "").append(' ');
            }
            sb.append(")\n");
        }
        return sb.toString();
    }

    void appSends(int[] fds, Message... messages) throws Exception {
        FdQueue q = new FdQueue();
        for (int fd : fds) {
            q.add(fd);
        }
        app.send(encode(messages), q);
    }

    void compositorSends(Message... messages) throws Exception {
        compositor.send(encode(messages), new FdQueue());
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
        return new Message(id, schema.require(iface).message(true, name), args);
    }

    static Message event(int id, String iface, String name, Object... args) {
        return new Message(id, schema.require(iface).message(false, name), args);
    }

    static byte[] drain(MemoryConnection end, List<Integer> fdsOut) throws Exception {
        return SessionTest.drain(end, fdsOut);
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
}
