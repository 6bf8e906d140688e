package dev.crossway.proxy;

import static dev.crossway.proxy.SessionTest.encode;
import static dev.crossway.proxy.SessionTest.event;
import static dev.crossway.proxy.SessionTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.shm.Region;
import dev.crossway.proxy.shm.ShmFormats;
import dev.crossway.proxy.shm.ShmInterceptor;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A whole session with separate memory, where the test plays both the app and a small compositor.
 * Guest and host memory are heap files of a {@link MemoryKernel}; the compositor keeps its own object
 * table in host ids, as libwayland-server does, answers syncs, sends {@code delete_id}s, and releases
 * buffers either at once (as GPU compositors do after uploading shm) or when replaced (as weston's
 * pixman renderer does). Every pixel check reads what the compositor's surface really shows.
 */
final class ShmRig implements AutoCloseable {
    /** Like loopback in separate-memory mode: fds pass, guest memory does not. */
    static final Capabilities SEPARATE = new Capabilities(false, true, 28, 65536);
    static final int XRGB = ShmFormats.XRGB8888;

    /** When the compositor releases a committed buffer. */
    enum Releases { AT_ONCE, WHEN_REPLACED }

    final Schema schema;
    final MemoryKernel kernel = new MemoryKernel();
    final CountDownLatch closed = new CountDownLatch(1);
    final MemoryConnection app;
    final MemoryConnection compositor;
    final HeapHostConnection host;
    final Session session;
    ShmInterceptor shm;
    SessionStats closedStats;
    final Releases releases;

    // App side: client ids.
    final Map<Integer, String> appIds = new HashMap<>();
    private int nextAppId = 5;
    private final ByteArrayOutputStream appBytes = new ByteArrayOutputStream();
    private final FdQueue appFds = new FdQueue();
    /** Client buffers released to the app and not attached since. */
    final Set<Integer> released = new HashSet<>();
    final List<Message> appEvents = new ArrayList<>();

    // Compositor side: host ids.
    final Map<Integer, String> hostIds = new HashMap<>();
    private final ByteArrayOutputStream hostBytes = new ByteArrayOutputStream();
    private final FdQueue hostFds = new FdQueue();
    final List<String> hostRequests = new ArrayList<>();
    private final Map<Integer, ByteBuffer> hostPools = new HashMap<>();
    final Map<Integer, HostView> hostBuffers = new HashMap<>();
    private final Map<Integer, Integer> pendingAttach = new HashMap<>();
    /** Host surface id to the host buffer it shows. */
    final Map<Integer, Integer> shown = new HashMap<>();
    /** Client surface id to host surface id. */
    final Map<Integer, Integer> hostSurface = new HashMap<>();

    /** A host wl_buffer: its pixels in host memory. */
    record HostView(ByteBuffer file, int offset, int width, int height, int stride) {
        int pixel(int x, int y) {
            return file.getInt(offset + y * stride + x * 4);
        }
    }

    ShmRig(Schema schema, Releases releases, ShmLimits limits) throws Exception {
        this.schema = schema;
        this.releases = releases;
        MemoryConnection[] client = MemoryConnection.pair(SEPARATE);
        MemoryConnection[] hostPair = MemoryConnection.pair(SEPARATE);
        app = client[0];
        compositor = hostPair[1];
        host = new HeapHostConnection(hostPair[0], kernel, SEPARATE);
        RegistryPolicy policy = new RegistryPolicy(schema, Set.of(), Set.of(), Map.of(), m -> true);
        List<InterceptorFactory> interceptors = List.of(s -> new RegistryInterceptor(s, policy), s -> shm = new ShmInterceptor(s, limits));
        session = new Session(1, client[1], host, new SessionOptions(schema, interceptors, false, false), new SessionListener() {
            @Override
            public void sessionClosed(Session s, SessionStats stats) {
                closedStats = stats;
                System.out.println("[shm session] closed: " + stats.summary());
                closed.countDown();
            }
        }, kernel);
        session.start();
        appIds.put(1, "wl_display");
        appIds.put(2, "wl_registry");
        hostIds.put(1, "wl_display");
        appSends(request(1, "wl_display", "get_registry", 2));
        serve(1);
        compositorSends(event(2, "wl_registry", "global", 1, "wl_compositor", 5),
                event(2, "wl_registry", "global", 2, "wl_shm", 1),
                event(2, "wl_registry", "global", 3, "wl_seat", 7),
                event(2, "wl_registry", "global", 4, "wp_viewporter", 1));
        awaitApp(4);
        appSends(request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 5, 3)),
                request(2, "wl_registry", "bind", 2, new NewId("wl_shm", 1, 4)));
        appIds.put(3, "wl_compositor");
        appIds.put(4, "wl_shm");
        serve(2);
    }

    int newId(String iface) {
        int id = nextAppId++;
        appIds.put(id, iface);
        return id;
    }

    // ---- plumbing ----

    void appSends(Message... messages) throws Exception {
        appSends(new int[0], messages);
    }

    void appSends(int[] fds, Message... messages) throws Exception {
        app.send(encode(messages), SessionTest.fds(fds));
    }

    void compositorSends(Message... messages) throws Exception {
        if (heldEvents != null) {
            heldEvents.addAll(List.of(messages));
            return;
        }
        compositor.send(encode(messages), new FdQueue());
    }

    /** Events the compositor holds until {@link #flushCompositorEvents}, as libwayland-server flushes once per dispatch; null: sent at once. */
    private List<Message> heldEvents;

    void holdCompositorEvents() {
        heldEvents = new ArrayList<>();
    }

    /** Sends the held events in one send, and sends at once from now on. */
    void flushCompositorEvents() throws Exception {
        List<Message> held = heldEvents;
        heldEvents = null;
        if (!held.isEmpty()) {
            compositorSends(held.toArray(new Message[0]));
        }
    }

    /** Handles the next {@code n} requests at the compositor, as a compositor would; returns them. */
    List<Message> serve(int n) throws Exception {
        List<Message> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Message m = read(compositor, hostBytes, hostFds, 1, true, hostIds).get(0); // one by one: each may create the next's object
            handle(m);
            got.add(m);
        }
        return got;
    }

    /** Reads events until the app gets {@code wl_display.error}, and returns it. */
    Message awaitError() throws Exception {
        while (true) {
            Message m = awaitApp(1).get(0);
            if (m.spec().qualifiedName().equals("wl_display.error")) {
                return m;
            }
        }
    }

    /** The counters of client surface {@code surface}, zero before its first shm message. */
    dev.crossway.proxy.shm.ShmStats.Surface stats(int surface) {
        var s = shm.surfaceStats(surface);
        return s != null ? s : new dev.crossway.proxy.shm.ShmStats.Surface(surface, 0, 0, 0, 0);
    }

    /** A round trip through the session: serves every request up to a sync, then reads events up to its done. */
    List<Message> roundtrip() throws Exception {
        int cb = newId("wl_callback");
        appSends(request(1, "wl_display", "sync", cb));
        List<Message> served = new ArrayList<>();
        while (true) {
            Message m = serve(1).get(0);
            served.add(m);
            if (m.spec().qualifiedName().equals("wl_display.sync")) {
                break;
            }
        }
        while (appEvents.stream().noneMatch(e -> e.objectId() == cb && e.spec().name().equals("done"))) {
            awaitApp(1);
        }
        return served;
    }

    private void handle(Message m) throws Exception {
        String name = m.spec().qualifiedName();
        hostRequests.add(name);
        List<Arg> args = m.spec().args();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).type() == ArgType.NEW_ID) {
                String iface = args.get(i).isUntypedNewId() ? m.newIdArg(i).interfaceName() : args.get(i).interfaceName();
                int id = m.intArg(i);
                assertThat(hostIds).as("the compositor gets new id %d while it is in use", id).doesNotContainKey(id);
                hostIds.put(id, iface);
            }
        }
        switch (name) {
            case "wl_display.sync" -> {
                compositorSends(event(m.intArg(0), "wl_callback", "done", 0), deleteId(m.intArg(0)));
                hostIds.remove(m.intArg(0));
            }
            case "wl_shm.create_pool" -> hostPools.put(m.intArg(0), kernel.file(m.intArg(1)));
            case "wl_shm_pool.create_buffer" -> hostBuffers.put(m.intArg(0),
                    new HostView(hostPools.get(m.objectId()), m.intArg(1), m.intArg(2), m.intArg(3), m.intArg(4)));
            case "wl_surface.attach" -> pendingAttach.put(m.objectId(), m.intArg(0));
            case "wl_surface.commit" -> {
                Integer b = pendingAttach.remove(m.objectId());
                if (b != null) {
                    Integer previous = b == 0 ? shown.remove(m.objectId()) : shown.put(m.objectId(), b);
                    if (releases == Releases.AT_ONCE && b != 0) {
                        compositorSends(event(b, "wl_buffer", "release"));
                    } else if (releases == Releases.WHEN_REPLACED && previous != null && !previous.equals(b)) {
                        compositorSends(event(previous, "wl_buffer", "release"));
                    }
                }
            }
            default -> {
            }
        }
        if (m.spec().isDestructor()) {
            hostIds.remove(m.objectId());
            hostPools.remove(m.objectId());
            hostBuffers.remove(m.objectId());
            compositorSends(deleteId(m.objectId()));
        }
    }

    private Message deleteId(int id) {
        return event(1, "wl_display", "delete_id", id);
    }

    /** The next {@code n} events the app receives; releases and delete_ids are tracked. */
    List<Message> awaitApp(int n) throws Exception {
        List<Message> got = read(app, appBytes, appFds, n, false, appIds);
        for (Message m : got) {
            appEvents.add(m);
            switch (m.spec().qualifiedName()) {
                case "wl_buffer.release" -> {
                    assertThat(released).as("a second release of wl_buffer@%d without an attach", m.objectId()).doesNotContain(m.objectId());
                    released.add(m.objectId());
                }
                case "wl_display.delete_id" -> appIds.remove(m.intArg(0));
                default -> {
                }
            }
        }
        return got;
    }

    /** The events the session has sent the app by now, without waiting for more; releases and delete_ids are tracked. */
    List<Message> appEventsSentByNow() throws Exception {
        MemoryConnection.Chunk c;
        while ((c = app.next(0)) != null && !MemoryConnection.isEof(c)) {
            appBytes.write(c.bytes());
            for (int fd : c.fds()) {
                appFds.add(fd);
            }
        }
        List<Message> got = new ArrayList<>();
        while (true) {
            ByteBuffer b = ByteBuffer.wrap(appBytes.toByteArray()).order(ByteOrder.nativeOrder());
            if (b.limit() < 8 || b.limit() < (b.getInt(4) >>> 16)) {
                return got;
            }
            got.addAll(awaitApp(1));
        }
    }

    private List<Message> read(MemoryConnection end, ByteArrayOutputStream pending, FdQueue fds, int n, boolean requests,
                               Map<Integer, String> ids) throws Exception {
        List<Message> out = new ArrayList<>();
        while (true) {
            ByteBuffer b = ByteBuffer.wrap(pending.toByteArray()).order(ByteOrder.nativeOrder());
            int pos = 0;
            while (out.size() < n && b.limit() - pos >= 8 && b.limit() - pos >= (b.getInt(pos + 4) >>> 16)) {
                int id = b.getInt(pos);
                int op = b.getInt(pos + 4) & 0xffff;
                String ifaceName = ids.get(id);
                assertThat(ifaceName).as("%s for unknown object %d", requests ? "request" : "event", id).isNotNull();
                Interface iface = schema.require(ifaceName);
                out.add(MessageCodec.decode(b, pos, requests ? iface.request(op) : iface.event(op), fds));
                pos += b.getInt(pos + 4) >>> 16;
            }
            byte[] rest = new byte[b.limit() - pos];
            b.get(pos, rest);
            pending.reset();
            pending.write(rest);
            if (out.size() == n) {
                return out;
            }
            MemoryConnection.Chunk c = end.next(3000);
            assertThat(c).as("message %d of %d to %s", out.size() + 1, n, requests ? "the compositor" : "the app").isNotNull();
            assertThat(MemoryConnection.isEof(c)).as("connection closed; got so far " + out + "; app events " + appEvents).isFalse();
            pending.write(c.bytes());
            for (int fd : c.fds()) {
                fds.add(fd);
            }
        }
    }

    // ---- the app's objects ----

    /** A client pool: a heap file the app draws into. */
    final class Pool {
        final int id;
        final int fd;

        Pool(int size) throws Exception {
            this.id = newId("wl_shm_pool");
            this.fd = kernel.newFile(size);
            appSends(new int[] {fd}, request(4, "wl_shm", "create_pool", id, fd, size));
        }

        ByteBuffer file() {
            return kernel.file(fd);
        }

        Buffer buffer(int offset, int width, int height) throws Exception {
            int b = newId("wl_buffer");
            appSends(request(id, "wl_shm_pool", "create_buffer", b, offset, width, height, width * 4, XRGB));
            released.add(b); // a new buffer is free
            return new Buffer(b, this, offset, width, height);
        }

        void destroy() throws Exception {
            appSends(request(id, "wl_shm_pool", "destroy"));
        }
    }

    /** A client buffer in a pool. */
    record Buffer(int id, Pool pool, int offset, int width, int height) {
        /** Writes {@code scene} where {@code region} says. */
        void fill(Region region, int[] scene) {
            ByteBuffer f = pool.file();
            for (int i = 0; i < region.size(); i++) {
                for (int y = region.y(i); y < region.y(i) + region.height(i); y++) {
                    for (int x = region.x(i); x < region.x(i) + region.width(i); x++) {
                        f.putInt(offset + (y * width + x) * 4, scene[y * width + x]);
                    }
                }
            }
        }

        void fillAll(int[] scene) {
            Region all = new Region();
            all.setFull(width, height);
            fill(all, scene);
        }
    }

    int surface() throws Exception {
        int s = newId("wl_surface");
        appSends(request(3, "wl_compositor", "create_surface", s));
        serve(1);
        hostSurface.put(s, (Integer) hostIds.entrySet().stream().filter(e -> e.getValue().equals("wl_surface"))
                .map(Map.Entry::getKey).filter(h -> !hostSurface.containsValue(h)).findFirst().orElseThrow());
        return s;
    }

    /** Attaches (when {@code buffer} is not null), damages and commits, then a round trip. */
    void commit(int surface, Buffer buffer, Message... damage) throws Exception {
        List<Message> all = new ArrayList<>();
        if (buffer != null) {
            all.add(request(surface, "wl_surface", "attach", buffer.id(), 0, 0));
            released.remove(buffer.id());
        }
        all.addAll(List.of(damage));
        all.add(request(surface, "wl_surface", "commit"));
        appSends(all.toArray(new Message[0]));
        roundtrip();
    }

    static Message damage(int surface, int x, int y, int w, int h) {
        return request(surface, "wl_surface", "damage", x, y, w, h);
    }

    static Message damageBuffer(int surface, int x, int y, int w, int h) {
        return request(surface, "wl_surface", "damage_buffer", x, y, w, h);
    }

    /** What the compositor shows for client surface {@code surface}: its attached host buffer. */
    HostView shownBy(int surface) {
        Integer b = shown.get(hostSurface.get(surface));
        assertThat(b).as("the compositor shows a buffer on wl_surface@%d", surface).isNotNull();
        return hostBuffers.get(b);
    }

    /** Pixels of the shown host buffer of {@code surface} that differ from {@code scene}. */
    int shownDiffers(int surface, int[] scene, int width, int height) {
        HostView v = shownBy(surface);
        assertThat(v.width()).isEqualTo(width);
        assertThat(v.height()).isEqualTo(height);
        int bad = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (v.pixel(x, y) != scene[y * width + x]) {
                    bad++;
                }
            }
        }
        return bad;
    }

    @Override
    public void close() {
        session.close();
    }
}
