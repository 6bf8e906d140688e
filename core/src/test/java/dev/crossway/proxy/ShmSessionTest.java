package dev.crossway.proxy;

import static dev.crossway.proxy.SessionTest.encode;
import static dev.crossway.proxy.SessionTest.event;
import static dev.crossway.proxy.SessionTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.shm.Region;
import dev.crossway.proxy.shm.ShmFormats;
import dev.crossway.proxy.shm.ShmInterceptor;
import dev.crossway.proxy.shm.ShmStats;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shm mirror in a whole session: the test plays app and compositor, guest and host memory are heap
 * files of a {@link MemoryKernel}, and every check reads what really reached the host's memory.
 */
class ShmSessionTest {
    /** Like loopback in separate-memory mode: fds pass, guest memory does not. */
    static final Capabilities SEPARATE = new Capabilities(false, true, 28, 65536);
    static final int XRGB = ShmFormats.XRGB8888;
    static Schema schema;

    final MemoryKernel kernel = new MemoryKernel();
    final CountDownLatch closed = new CountDownLatch(1);
    MemoryConnection app;
    MemoryConnection compositor;
    HeapHostConnection host;
    Session session;
    ShmInterceptor shm;
    final Map<Integer, String> ids = new HashMap<>();
    // What the compositor received but the test has not read yet.
    private final ByteArrayOutputStream hostBytes = new ByteArrayOutputStream();
    private final FdQueue hostFds = new FdQueue();
    private final ByteArrayOutputStream appBytes = new ByteArrayOutputStream();
    private final FdQueue appFds = new FdQueue();

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
        SessionTest.schema = schema;
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    void start() throws Exception {
        MemoryConnection[] client = MemoryConnection.pair(SEPARATE);
        MemoryConnection[] hostPair = MemoryConnection.pair(SEPARATE);
        app = client[0];
        compositor = hostPair[1];
        host = new HeapHostConnection(hostPair[0], kernel, SEPARATE);
        RegistryPolicy policy = new RegistryPolicy(schema, Set.of(), Set.of(), Map.of(), m -> true);
        List<InterceptorFactory> interceptors = List.of(s -> new RegistryInterceptor(s, policy), s -> shm = new ShmInterceptor(s));
        session = new Session(1, client[1], host, new SessionOptions(schema, interceptors, false, false), new SessionListener() {
            @Override
            public void sessionClosed(Session s, SessionStats stats) {
                System.out.println("[shm session] closed: " + stats.summary());
                closed.countDown();
            }
        }, kernel);
        session.start();
        ids.put(1, "wl_display");
        ids.put(2, "wl_registry");
        appSends(request(1, "wl_display", "get_registry", 2));
        awaitHost(1);
        compositorSends(new int[0], event(2, "wl_registry", "global", 1, "wl_compositor", 5),
                event(2, "wl_registry", "global", 2, "wl_shm", 1),
                event(2, "wl_registry", "global", 3, "wl_seat", 7),
                event(2, "wl_registry", "global", 4, "wp_viewporter", 1));
        awaitApp(4);
        appSends(request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 5, 3)),
                request(2, "wl_registry", "bind", 2, new NewId("wl_shm", 1, 4)));
        ids.put(3, "wl_compositor");
        ids.put(4, "wl_shm");
        awaitHost(2);
    }

    // ---- plumbing ----

    void appSends(Message... messages) throws Exception {
        appSends(new int[0], messages);
    }

    void appSends(int[] fds, Message... messages) throws Exception {
        FdQueue q = new FdQueue();
        for (int fd : fds) {
            q.add(fd);
        }
        app.send(encode(messages), q);
    }

    void compositorSends(int[] fds, Message... messages) throws Exception {
        FdQueue q = new FdQueue();
        for (int fd : fds) {
            q.add(fd);
        }
        compositor.send(encode(messages), q);
    }

    /** The next {@code n} requests the compositor receives, with their fds. */
    List<Message> awaitHost(int n) throws Exception {
        return await(compositor, hostBytes, hostFds, n, true);
    }

    /** The next {@code n} events the app receives, with their fds. */
    List<Message> awaitApp(int n) throws Exception {
        return await(app, appBytes, appFds, n, false);
    }

    private List<Message> await(MemoryConnection end, ByteArrayOutputStream pending, FdQueue fds, int n, boolean requests)
            throws Exception {
        List<Message> out = new ArrayList<>();
        while (true) {
            ByteBuffer b = ByteBuffer.wrap(pending.toByteArray()).order(ByteOrder.nativeOrder());
            int pos = 0;
            while (out.size() < n && b.limit() - pos >= 8 && b.limit() - pos >= (b.getInt(pos + 4) >>> 16)) {
                int id = b.getInt(pos);
                int op = b.getInt(pos + 4) & 0xffff;
                Interface iface = schema.require(ids.get(id));
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
            assertThat(MemoryConnection.isEof(c)).as("connection closed; got so far " + out).isFalse();
            pending.write(c.bytes());
            for (int fd : c.fds()) {
                fds.add(fd);
            }
        }
    }

    void nothingMoreToHost() throws Exception {
        assertThat(hostBytes.size()).isZero();
        assertThat(compositor.next(100)).isNull();
    }

    static List<String> names(List<Message> messages) {
        return messages.stream().map(m -> m.spec().owner().name() + "." + m.spec().name()).toList();
    }

    /** A client pool: a heap file the app draws into, and the host memory the compositor got for it. */
    final class Pool {
        final int id;
        final int clientFd;
        ByteBuffer client;
        ByteBuffer host;

        Pool(int id, int size) throws Exception {
            this.id = id;
            this.clientFd = kernel.newFile(size);
            this.client = kernel.file(clientFd);
            ids.put(id, "wl_shm_pool");
            appSends(new int[] {clientFd}, request(4, "wl_shm", "create_pool", id, clientFd, size));
            Message got = awaitHost(1).get(0);
            assertThat(got.spec().name()).isEqualTo("create_pool");
            int hostFd = got.intArg(1);
            assertThat(hostFd).as("the client's fd never reaches the host").isNotEqualTo(clientFd);
            this.host = kernel.file(hostFd);
            assertThat(host.capacity()).isGreaterThanOrEqualTo(size);
        }

        Buffer buffer(int id, int offset, int width, int height) throws Exception {
            ids.put(id, "wl_buffer");
            appSends(request(this.id, "wl_shm_pool", "create_buffer", id, offset, width, height, width * 4, XRGB));
            awaitHost(1);
            return new Buffer(id, this, host, offset, width, height);
        }
    }

    /** A client buffer; {@code host} is the host memory it was made on (it stays after a resize). */
    record Buffer(int id, Pool pool, ByteBuffer host, int offset, int width, int height) {
        void fill(Region region, int[] scene) {
            for (int i = 0; i < region.size(); i++) {
                for (int y = region.y(i); y < region.y(i) + region.height(i); y++) {
                    for (int x = region.x(i); x < region.x(i) + region.width(i); x++) {
                        pool.client.putInt(offset + (y * width + x) * 4, scene[y * width + x]);
                    }
                }
            }
        }

        /** Pixels where the host copy differs from {@code scene}. */
        int hostDiffers(int[] scene) {
            int bad = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (host.getInt(offset + (y * width + x) * 4) != scene[y * width + x]) {
                        bad++;
                    }
                }
            }
            return bad;
        }
    }

    int surface(int id) throws Exception {
        ids.put(id, "wl_surface");
        appSends(request(3, "wl_compositor", "create_surface", id));
        awaitHost(1);
        return id;
    }

    void commit(int surface, Buffer buffer, Message... damage) throws Exception {
        List<Message> all = new ArrayList<>();
        if (buffer != null) {
            all.add(request(surface, "wl_surface", "attach", buffer.id(), 0, 0));
        }
        all.addAll(List.of(damage));
        all.add(request(surface, "wl_surface", "commit"));
        appSends(all.toArray(new Message[0]));
        awaitHost(all.size());
    }

    static Message damage(int surface, int x, int y, int w, int h) {
        return request(surface, "wl_surface", "damage", x, y, w, h);
    }

    static Message damageBuffer(int surface, int x, int y, int w, int h) {
        return request(surface, "wl_surface", "damage_buffer", x, y, w, h);
    }

    // ---- tests ----

    /**
     * A client that renders with buffer age over 2 or 3 buffers, damaging a random rectangle a frame
     * (surface damage or buffer damage, at scale 1 or 2): after every commit the host copy of the
     * committed buffer equals the scene, pixel for pixel.
     */
    @ParameterizedTest(name = "{0} buffers, scale {1}")
    @CsvSource({"2, 1", "3, 1", "2, 2", "3, 2"})
    void rotatingBuffersWithPartialDamageArePixelExactOnTheHost(int count, int scale) throws Exception {
        start();
        int w = 64;
        int h = 48;
        Pool pool = new Pool(5, count * w * h * 4);
        List<Buffer> buffers = new ArrayList<>();
        List<Region> age = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            buffers.add(pool.buffer(6 + i, i * w * h * 4, w, h));
            Region all = new Region();
            all.setFull(w, h);
            age.add(all);
        }
        int s = surface(20);
        if (scale != 1) {
            appSends(request(s, "wl_surface", "set_buffer_scale", scale));
            awaitHost(1);
        }
        Random random = new Random(count * 10L + scale);
        int[] scene = new int[w * h];
        for (int i = 0; i < scene.length; i++) {
            scene[i] = 0xff000000 | i;
        }
        long pixelsDamaged = 0;
        for (int frame = 0; frame < 40; frame++) {
            // Change a random rectangle (aligned to the scale, so surface damage covers it exactly).
            int rx = random.nextInt(w / scale) * scale;
            int ry = random.nextInt(h / scale) * scale;
            int rw = Math.min(w - rx, (1 + random.nextInt(12)) * scale);
            int rh = Math.min(h - ry, (1 + random.nextInt(12)) * scale);
            for (int y = ry; y < ry + rh; y++) {
                for (int x = rx; x < rx + rw; x++) {
                    scene[y * w + x] = random.nextInt();
                }
            }
            pixelsDamaged += (long) rw * rh;
            for (Region r : age) {
                r.add(rx, ry, rw, rh);
            }
            int i = frame % count;
            Buffer b = buffers.get(i);
            b.fill(age.get(i), scene); // what this buffer lacks since it was last drawn
            age.get(i).clear();
            Message d = frame % 2 == 0 ? damage(s, rx / scale, ry / scale, rw / scale, rh / scale) : damageBuffer(s, rx, ry, rw, rh);
            commit(s, b, d);
            assertThat(b.hostDiffers(scene)).as("pixels wrong on the host after frame %d (buffer %d)", frame, i).isZero();
        }
        ShmStats.Surface stats = shm.surfaceStats(s);
        System.out.printf("[shm session] %d buffers, scale %d: 40 commits copied %d B for %d B damaged (%d B per full frame)%n",
                count, scale, stats.bytesCopied(), stats.bytesDamaged(), w * h * 4);
        assertThat(stats.commits()).isEqualTo(40);
        assertThat(stats.bytesDamaged()).isEqualTo(pixelsDamaged * 4);
        assertThat(stats.bytesCopied()).as("far less than a full copy per commit").isLessThan(40L * w * h * 4 / 2);
    }

    /** waypipe's damage test, in bytes: a 2x2 change of a 1920x1080 XRGB8888 buffer copies at most 64 KiB. */
    @Test
    void smallDamageCopiesLittleAndFullDamageCopiesOneBuffer() throws Exception {
        start();
        int w = 1920;
        int h = 1080;
        int frame = w * h * 4;
        Pool pool = new Pool(5, 2 * frame);
        Buffer a = pool.buffer(6, 0, w, h);
        int s = surface(20);
        int[] scene = new int[w * h];
        Region everything = new Region();
        everything.setFull(w, h);

        a.fill(everything, scene);
        commit(s, a, damageBuffer(s, 0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE));
        long full = shm.stats().bytesCopied();

        scene[500 * w + 700] = scene[500 * w + 701] = scene[501 * w + 700] = scene[501 * w + 701] = 0xffffffff;
        Region square = new Region();
        square.add(700, 500, 2, 2);
        a.fill(square, scene);
        commit(s, a, damage(s, 700, 500, 2, 2));
        long small = shm.stats().bytesCopied() - full;
        assertThat(a.hostDiffers(scene)).isZero();

        // Two buffers, alternating: the second one's first commit is a full one; then each 2x2 change
        // copies its own square and the one the other buffer got last.
        Buffer b = pool.buffer(7, frame, w, h);
        b.fill(everything, scene);
        long before = shm.stats().bytesCopied();
        commit(s, b, damage(s, 0, 0, w, h));
        long secondFull = shm.stats().bytesCopied() - before;
        long[] alternating = new long[4];
        Buffer[] ab = {a, b};
        Region[] age = {new Region(), new Region()};
        for (int i = 0; i < alternating.length; i++) {
            int x = 100 + 50 * i;
            int y = 200 + 10 * i;
            scene[y * w + x] = scene[y * w + x + 1] = scene[(y + 1) * w + x] = scene[(y + 1) * w + x + 1] = 0xff00ff00 + i;
            age[0].add(x, y, 2, 2);
            age[1].add(x, y, 2, 2);
            Buffer next = ab[i % 2];
            next.fill(age[i % 2], scene);
            age[i % 2].clear();
            before = shm.stats().bytesCopied();
            commit(s, next, damage(s, x, y, 2, 2));
            alternating[i] = shm.stats().bytesCopied() - before;
            assertThat(next.hostDiffers(scene)).isZero();
        }
        System.out.printf("[shm damage] 1920x1080 XRGB8888: full-damage commit copied %d B (one buffer: %d B); "
                + "2x2 change copied %d B; second buffer's first commit %d B; alternating 2 buffers, 2x2 changes: %s B%n",
                full, frame, small, secondFull, java.util.Arrays.toString(alternating));
        assertThat(full).isEqualTo(frame);
        assertThat(small).isLessThanOrEqualTo(64 * 1024).isEqualTo(2 * 2 * 4);
        assertThat(secondFull).isEqualTo(frame);
        // a's first alternate commit also owes the full frame b's first commit damaged.
        assertThat(alternating[0]).isEqualTo(frame);
        for (int i = 1; i < alternating.length; i++) {
            assertThat(alternating[i]).isLessThanOrEqualTo(64 * 1024).isEqualTo(2 * 2 * 2 * 4);
        }
        // A full-damage commit copies exactly one buffer, whatever it was missing.
        before = shm.stats().bytesCopied();
        commit(s, a, damageBuffer(s, 0, 0, w, h), damage(s, 0, 0, w, h));
        assertThat(shm.stats().bytesCopied() - before).isEqualTo(frame);
    }

    @Test
    void resizeKeepsOldBuffersOnOldHostMemoryAndSwallowsOnlyItsOwnDeleteId() throws Exception {
        start();
        int w = 16;
        int h = 8;
        int size = w * h * 4;
        Pool pool = new Pool(5, size);
        Buffer old = pool.buffer(6, 0, w, h);
        ByteBuffer oldHost = pool.host;
        assertThat(shm.stats().liveHostBuffers()).isEqualTo(1);

        // The client grows its file, then the pool.
        ByteBuffer grown = ByteBuffer.allocate(2 * size);
        grown.put(0, pool.client, 0, size);
        kernel.files.put(pool.clientFd, grown);
        appSends(request(5, "wl_shm_pool", "resize", 2 * size));
        List<Message> got = awaitHost(2);
        assertThat(names(got)).containsExactly("wl_shm_pool.destroy", "wl_shm.create_pool");
        assertThat(got.get(0).objectId()).isEqualTo(5);
        assertThat(got.get(1).intArg(0)).as("same pool id").isEqualTo(5);
        assertThat(got.get(1).intArg(2)).isEqualTo(2 * size);
        ByteBuffer newHost = kernel.file(got.get(1).intArg(1));
        assertThat(newHost).isNotSameAs(oldHost);
        assertThat(shm.stats().liveHostBuffers()).as("old memory kept by the old buffer").isEqualTo(2);

        pool.client = grown;
        pool.host = newHost;
        Buffer fresh = pool.buffer(7, size, w, h);
        Buffer oldView = old;

        int s = surface(20);
        int[] sceneOld = new int[w * h];
        int[] sceneNew = new int[w * h];
        for (int i = 0; i < w * h; i++) {
            sceneOld[i] = 0x11000000 | i;
            sceneNew[i] = 0x22000000 | i;
        }
        Region all = new Region();
        all.setFull(w, h);
        oldView.fill(all, sceneOld);
        fresh.fill(all, sceneNew);
        commit(s, old, damage(s, 0, 0, w, h));
        commit(s, fresh, damage(s, 0, 0, w, h));
        assertThat(oldView.hostDiffers(sceneOld)).as("old buffer lands in the old host memory").isZero();
        assertThat(fresh.hostDiffers(sceneNew)).as("new buffer lands in the new host memory").isZero();

        // The host's delete_id for the destroy Crossway sent is swallowed; the next event arrives.
        ids.put(30, "wl_callback");
        appSends(request(1, "wl_display", "sync", 30));
        awaitHost(1);
        compositorSends(new int[0], event(1, "wl_display", "delete_id", 5), event(30, "wl_callback", "done", 1),
                event(1, "wl_display", "delete_id", 30));
        assertThat(names(awaitApp(2))).containsExactly("wl_callback.done", "wl_display.delete_id");
        assertThat(session.objects().get(5).isZombie()).as("the client still has its pool").isFalse();
        assertThat(session.objects().get(5).iface().name()).isEqualTo("wl_shm_pool");

        // Only one was owed: the delete_id for the client's own destroy reaches it.
        appSends(request(5, "wl_shm_pool", "destroy"));
        awaitHost(1);
        assertThat(shm.stats().liveHostBuffers()).as("both buffers still use host memory").isEqualTo(2);
        compositorSends(new int[0], event(1, "wl_display", "delete_id", 5));
        List<Message> deleted = awaitApp(1);
        assertThat(deleted.get(0).intArg(0)).isEqualTo(5);

        appSends(request(6, "wl_buffer", "destroy"));
        awaitHost(1);
        assertThat(shm.stats().liveHostBuffers()).as("the old memory is freed with its last buffer").isEqualTo(1);
        appSends(request(7, "wl_buffer", "destroy"));
        awaitHost(1);
        assertThat(shm.stats().liveHostBuffers()).isZero();
        assertThat(host.openBuffers()).isZero();
        assertThat(kernel.liveMappings()).as("guest mappings").isZero();
        assertThat(kernel.closed).contains(pool.clientFd);
    }

    @Test
    void destroyingPoolAndBuffersFreesHostMemoryAtOnce() throws Exception {
        start();
        Pool pool = new Pool(5, 4096);
        pool.buffer(6, 0, 16, 16);
        pool.buffer(7, 1024, 16, 16);
        assertThat(shm.stats().liveHostBuffers()).isEqualTo(1);
        appSends(request(6, "wl_buffer", "destroy"), request(5, "wl_shm_pool", "destroy"));
        awaitHost(2);
        assertThat(shm.stats().liveHostBuffers()).isEqualTo(1);
        appSends(request(7, "wl_buffer", "destroy"));
        awaitHost(1);
        assertThat(shm.stats().liveHostBuffers()).isZero();
        assertThat(host.openBuffers()).isZero();
        assertThat(kernel.liveMappings()).isZero();
    }

    @Test
    void sessionEndFreesEverything() throws Exception {
        start();
        Pool pool = new Pool(5, 4096);
        Buffer b = pool.buffer(6, 0, 16, 16);
        new Pool(8, 8192);
        int s = surface(20);
        commit(s, b, damage(s, 0, 0, 16, 16));
        assertThat(shm.stats().liveHostBuffers()).isEqualTo(2);
        app.close();
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(shm.stats().liveHostBuffers()).isZero();
        assertThat(host.openBuffers()).isZero();
        assertThat(kernel.liveMappings()).isZero();
        assertThat(kernel.closed).contains(pool.clientFd);
        assertThat(session.stats().summary()).contains("shm 1 commits, 1024 B copied of 1024 B damaged, 0 host buffers");
    }

    @Test
    void onlyFormatsCrosswayCanCopyAreAdvertised() throws Exception {
        start();
        compositorSends(new int[0], event(4, "wl_shm", "format", 0), event(4, "wl_shm", "format", 1),
                event(4, "wl_shm", "format", 0x3231564e /* nv12 */), event(4, "wl_shm", "format", 0x36314752 /* rgb565 */),
                event(4, "wl_shm", "format", 0x56595559 /* yuyv */), event(4, "wl_shm", "format", 0x12345678),
                event(4, "wl_shm", "format", 0x30334241 /* abgr2101010 */));
        ids.put(30, "wl_callback");
        compositorSends(new int[0], event(1, "wl_display", "delete_id", 99));
        List<Message> got = awaitApp(5);
        assertThat(got.subList(0, 4)).extracting(m -> m.intArg(0)).containsExactly(0, 1, 0x36314752, 0x30334241);
        assertThat(names(got.subList(4, 5))).containsExactly("wl_display.delete_id");
    }

    @Test
    void keymapArrivesAsASealedGuestCopy() throws Exception {
        start();
        appSends(request(2, "wl_registry", "bind", 3, new NewId("wl_seat", 7, 5)), request(5, "wl_seat", "get_keyboard", 6));
        ids.put(5, "wl_seat");
        ids.put(6, "wl_keyboard");
        awaitHost(2);
        byte[] keymap = "xkb_keymap { xkb_keycodes { include \"evdev\" }; };\0".getBytes(StandardCharsets.US_ASCII);
        int hostFd = kernel.newFile(keymap.length);
        kernel.file(hostFd).put(0, keymap);
        compositorSends(new int[] {hostFd}, event(6, "wl_keyboard", "keymap", 1, hostFd, keymap.length));
        Message got = awaitApp(1).get(0);
        int fd = got.intArg(1);
        assertThat(fd).isNotEqualTo(hostFd);
        assertThat(got.intArg(2)).isEqualTo(keymap.length);
        byte[] content = new byte[keymap.length];
        kernel.file(fd).get(0, content);
        assertThat(content).isEqualTo(keymap);
        assertThat(kernel.sealed).contains(fd);
        assertThat(kernel.closed).as("the compositor's fd").contains(hostFd);
        assertThat(kernel.liveMappings()).isZero();
        assertThat(shm.stats().keymapsCopied()).isEqualTo(1);
    }

    @Test
    void bufferWhosePixelsDoNotFitItsStrideIsAProtocolError() throws Exception {
        start();
        new Pool(5, 4096);
        appSends(request(5, "wl_shm_pool", "create_buffer", 6, 0, 16, 16, 32, XRGB));
        Message error = awaitApp(1).get(0);
        assertThat(error.spec().name()).isEqualTo("error");
        assertThat(error.intArg(0)).isEqualTo(5);
        assertThat(error.stringArg(2)).isEqualTo("invalid width, height or stride (16x16, 32)");
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(host.openBuffers()).isZero();
    }
}
