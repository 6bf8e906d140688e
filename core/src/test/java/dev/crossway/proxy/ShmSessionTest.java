package dev.crossway.proxy;

import static dev.crossway.proxy.SessionTest.event;
import static dev.crossway.proxy.SessionTest.request;
import static dev.crossway.proxy.ShmRig.damage;
import static dev.crossway.proxy.ShmRig.damageBuffer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.ShmRig.Buffer;
import dev.crossway.proxy.ShmRig.Pool;
import dev.crossway.proxy.ShmRig.Releases;
import dev.crossway.proxy.shm.Region;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.proxy.shm.ShmStats;
import dev.crossway.wire.Message;
import dev.crossway.wire.NewId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shm mirror in a whole session ({@link ShmRig}): every pixel check reads what the compositor's
 * surface shows, and the copy counters are checked against the damage the app declared.
 */
class ShmSessionTest {
    static Schema schema;
    ShmRig rig;

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
        SessionTest.schema = schema;
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    ShmRig start(Releases releases) throws Exception {
        return start(releases, ShmLimits.defaults());
    }

    ShmRig start(Releases releases, ShmLimits limits) throws Exception {
        rig = new ShmRig(schema, releases, limits);
        return rig;
    }

    /** How an app gets the buffer it draws a frame into. */
    enum Pattern {
        /** Two buffers in one pool, used in turn (buffer age 2). */
        TWO_ROTATING,
        /** Three buffers in turn. */
        THREE_ROTATING,
        /** A new wl_buffer every frame over one pool, the last one destroyed once released. */
        NEW_BUFFER_EVERY_FRAME,
        /** A new wl_shm_pool and wl_buffer every frame, as GTK3 draws. */
        NEW_POOL_EVERY_FRAME
    }

    static final int W = 64;
    static final int H = 48;

    /** Draws frames of a scene with random damage the way {@code pattern} says; returns the app's buffers in order. */
    final class App {
        final Pattern pattern;
        final int surface;
        final int[] scene = new int[W * H];
        final List<Buffer> rotating = new ArrayList<>();
        final List<Region> age = new ArrayList<>();
        Pool pool;
        Buffer last;
        long pixelsDamaged;
        /** The last frame's damage in buffer pixels: x, y, width, height. */
        int[] damage;

        App(Pattern pattern, int scale) throws Exception {
            this.pattern = pattern;
            this.surface = rig.surface();
            if (scale != 1) {
                rig.appSends(request(surface, "wl_surface", "set_buffer_scale", scale));
            }
            for (int i = 0; i < scene.length; i++) {
                scene[i] = 0xff000000 | i;
            }
            int count = pattern == Pattern.TWO_ROTATING ? 2 : pattern == Pattern.THREE_ROTATING ? 3 : 0;
            if (count > 0 || pattern == Pattern.NEW_BUFFER_EVERY_FRAME) {
                pool = rig.new Pool(Math.max(count, 2) * W * H * 4);
            }
            for (int i = 0; i < count; i++) {
                rotating.add(pool.buffer(i * W * H * 4, W, H));
                Region all = new Region();
                all.setFull(W, H);
                age.add(all);
            }
        }

        /** One frame: change a rectangle of the scene, draw what the buffer lacks, attach, damage, commit. */
        Buffer frame(int frame, int scale, Random random, boolean full) throws Exception {
            int rx = full ? 0 : random.nextInt(W / scale) * scale;
            int ry = full ? 0 : random.nextInt(H / scale) * scale;
            int rw = full ? W : Math.min(W - rx, (1 + random.nextInt(12)) * scale);
            int rh = full ? H : Math.min(H - ry, (1 + random.nextInt(12)) * scale);
            for (int y = ry; y < ry + rh; y++) {
                for (int x = rx; x < rx + rw; x++) {
                    scene[y * W + x] = random.nextInt() | 0xff000000;
                }
            }
            pixelsDamaged += (long) rw * rh;
            damage = new int[] {rx, ry, rw, rh};
            Buffer b;
            switch (pattern) {
                case TWO_ROTATING, THREE_ROTATING -> {
                    for (Region r : age) {
                        r.add(rx, ry, rw, rh);
                    }
                    int i = frame % rotating.size();
                    b = rotating.get(i);
                    assertThat(rig.released).as("buffer %d is free to draw into at frame %d", i, frame).contains(b.id());
                    b.fill(age.get(i), scene);
                    age.get(i).clear();
                }
                case NEW_BUFFER_EVERY_FRAME -> {
                    b = pool.buffer((frame % 2) * W * H * 4, W, H);
                    b.fillAll(scene); // a new buffer has no age: the app draws it whole
                }
                default -> {
                    Pool p = rig.new Pool(W * H * 4);
                    b = p.buffer(0, W, H);
                    p.destroy();
                    b.fillAll(scene);
                }
            }
            Message d = full ? damageBuffer(surface, 0, 0, W, H) : frame % 2 == 0
                    ? damage(surface, rx / scale, ry / scale, rw / scale, rh / scale) : damageBuffer(surface, rx, ry, rw, rh);
            rig.commit(surface, b, d);
            if ((pattern == Pattern.NEW_BUFFER_EVERY_FRAME || pattern == Pattern.NEW_POOL_EVERY_FRAME) && last != null) {
                assertThat(rig.released).as("the previous frame's buffer was released").contains(last.id());
                rig.appSends(request(last.id(), "wl_buffer", "destroy"));
            }
            last = b;
            return b;
        }
    }

    /**
     * Each buffer pattern, against a compositor that releases at once and one that holds a buffer until
     * it is replaced: after every commit the compositor shows the scene exactly, the app got every buffer
     * back before its next use, and each commit copies the least any copying proxy could: its damage,
     * when the compositor releases at once; when it holds the shown buffer, the union of this frame's
     * damage and the previous frame's, which the host buffer filled two commits ago lacks.
     */
    @ParameterizedTest(name = "{0}, scale {1}, compositor releases {2}")
    @CsvSource({"TWO_ROTATING, 1, AT_ONCE", "THREE_ROTATING, 1, AT_ONCE", "NEW_BUFFER_EVERY_FRAME, 1, AT_ONCE",
            "NEW_POOL_EVERY_FRAME, 1, AT_ONCE", "TWO_ROTATING, 2, AT_ONCE", "THREE_ROTATING, 2, AT_ONCE",
            "TWO_ROTATING, 1, WHEN_REPLACED", "THREE_ROTATING, 1, WHEN_REPLACED", "NEW_BUFFER_EVERY_FRAME, 1, WHEN_REPLACED",
            "NEW_POOL_EVERY_FRAME, 1, WHEN_REPLACED", "THREE_ROTATING, 2, WHEN_REPLACED"})
    void everyBufferPatternIsPixelExactAndCopiesOnlyDamage(Pattern pattern, int scale, Releases releases) throws Exception {
        start(releases);
        App app = new App(pattern, scale);
        Random random = new Random(pattern.ordinal() * 10L + scale);
        long full = (long) W * H * 4;
        long floor = 0;
        int frames = 40;
        int[] previous = null;
        for (int frame = 0; frame < frames; frame++) {
            ShmStats.Surface before = rig.stats(app.surface);
            app.frame(frame, scale, random, frame == 0);
            ShmStats.Surface after = rig.stats(app.surface);
            assertThat(rig.shownDiffers(app.surface, app.scene, W, H)).as("pixels wrong on the host after frame %d", frame).isZero();
            long damage = after.bytesDamaged() - before.bytesDamaged();
            assertThat(damage).isEqualTo(4L * app.damage[2] * app.damage[3]);
            // Holding one buffer, the compositor makes the next commit fill the other (the first time, whole).
            long frameFloor = releases == Releases.AT_ONCE ? damage : frame <= 1 ? full : 4 * unionArea(previous, app.damage);
            assertThat(after.bytesCopied() - before.bytesCopied()).as("copied at frame %d", frame).isEqualTo(frameFloor);
            floor += frameFloor;
            previous = app.damage;
        }
        ShmStats.Surface s = rig.stats(app.surface);
        System.out.printf("[shm patterns] %s, scale %d, compositor releases %s: %d commits copied %d B for %d B damaged (%.2fx), "
                        + "%d host buffers%n", pattern, scale, releases, s.commits(), s.bytesCopied(), s.bytesDamaged(),
                (double) s.bytesCopied() / s.bytesDamaged(), s.hostBuffers());
        assertThat(s.commits()).isEqualTo(frames);
        assertThat(s.bytesDamaged()).isEqualTo(app.pixelsDamaged * 4);
        if (releases == Releases.AT_ONCE) {
            assertThat(s.bytesCopied()).as("one host buffer, missing only each commit's damage").isEqualTo(s.bytesDamaged());
            assertThat(s.hostBuffers()).isEqualTo(1);
        } else {
            assertThat(s.bytesCopied()).as("the last two frames' damage per commit").isEqualTo(floor);
            assertThat(s.hostBuffers()).isEqualTo(2);
        }
        assertThat(rig.hostRequests).as("no client pool or buffer reaches the host").doesNotContain("wl_shm_pool.resize");
    }

    /** Pixels in the union of two rectangles {x, y, width, height}. */
    static long unionArea(int[] a, int[] b) {
        long ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
        long iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
        return (long) a[2] * a[3] + (long) b[2] * b[3] - ix * iy;
    }

    /** waypipe's damage test, in bytes: a 2x2 change of a 1920x1080 XRGB8888 buffer copies 16 bytes. */
    @Test
    void smallDamageOfALargeBufferCopiesOnlyThatDamage() throws Exception {
        start(Releases.WHEN_REPLACED);
        int w = 1920;
        int h = 1080;
        int frame = w * h * 4;
        Pool pool = rig.new Pool(2 * frame);
        Buffer a = pool.buffer(0, w, h);
        Buffer b = pool.buffer(frame, w, h);
        int s = rig.surface();
        int[] scene = new int[w * h];
        a.fillAll(scene);
        rig.commit(s, a, damageBuffer(s, 0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertThat(rig.shm.stats().bytesCopied()).isEqualTo(frame);
        b.fillAll(scene);
        rig.commit(s, b, damage(s, 0, 0, w, h));
        assertThat(rig.shm.stats().bytesCopied()).as("the second host buffer is filled once").isEqualTo(2L * frame);
        // Alternating with a 2x2 change each: each commit copies its square and the previous one.
        long[] copied = new long[4];
        Buffer[] ab = {a, b};
        for (int i = 0; i < copied.length; i++) {
            int x = 100 + 50 * i;
            int y = 200 + 10 * i;
            scene[y * w + x] = scene[y * w + x + 1] = scene[(y + 1) * w + x] = scene[(y + 1) * w + x + 1] = 0xff00ff00 + i;
            Region change = new Region();
            change.add(x, y, 2, 2);
            if (i > 0) {
                change.add(100 + 50 * (i - 1), 200 + 10 * (i - 1), 2, 2);
            }
            ab[i % 2].fill(change, scene);
            long before = rig.shm.stats().bytesCopied();
            rig.commit(s, ab[i % 2], damage(s, x, y, 2, 2));
            copied[i] = rig.shm.stats().bytesCopied() - before;
            assertThat(rig.shownDiffers(s, scene, w, h)).isZero();
        }
        System.out.printf("[shm damage] 1920x1080: alternating 2 buffers with 2x2 changes copied %s B%n", java.util.Arrays.toString(copied));
        assertThat(copied[0]).as("the first: what the second buffer's full-damage commit changed").isEqualTo(frame);
        for (int i = 1; i < copied.length; i++) {
            assertThat(copied[i]).isEqualTo(2 * 2 * 2 * 4);
        }
    }

    @Test
    void theAppGetsItsBufferBackRightAfterTheCommitWhateverTheCompositorHolds() throws Exception {
        start(Releases.WHEN_REPLACED);
        Pool pool = rig.new Pool(16 * 16 * 4);
        Buffer a = pool.buffer(0, 16, 16);
        int s = rig.surface();
        int[] scene = new int[256];
        for (int frame = 0; frame < 5; frame++) {
            java.util.Arrays.fill(scene, 0xff000000 | frame);
            a.fillAll(scene);
            rig.commit(s, a, damage(s, 0, 0, 16, 16));
            assertThat(rig.released).as("released after frame %d", frame).contains(a.id());
            assertThat(rig.shownDiffers(s, scene, 16, 16)).isZero();
        }
        assertThat(rig.shm.stats().earlyReleases()).isEqualTo(5);
    }

    /**
     * What Crossway answers itself for a batch (here the early release) reaches the app before the batch
     * reaches the host, so the host's answers never wait for the app's socket while the request relay
     * sends on it (a contended lock on every frame).
     */
    @Test
    void theEarlyReleaseIsSentBeforeTheCommitReachesTheHost() throws Exception {
        start(Releases.WHEN_REPLACED);
        Pool pool = rig.new Pool(16 * 16 * 4);
        Buffer a = pool.buffer(0, 16, 16);
        int s = rig.surface();
        rig.released.remove(a.id());
        rig.appSends(request(s, "wl_surface", "attach", a.id(), 0, 0), damage(s, 0, 0, 16, 16), request(s, "wl_surface", "commit"));
        while (!rig.serve(1).get(0).spec().qualifiedName().equals("wl_surface.commit")) {
            // the host buffer's pool and buffer come first
        }
        assertThat(rig.appEventsSentByNow()).extracting(m -> m.spec().qualifiedName() + "@" + m.objectId())
                .containsExactly("wl_buffer.release@" + a.id());
    }

    /**
     * When the batch ends with a {@code wl_display.sync}, the early release waits for the host's answer
     * and goes in the same send, ahead of it: the app wakes once per round trip, as with no proxy.
     */
    @Test
    void anEarlyReleaseBeforeASyncReachesTheAppInTheSendOfTheSyncsDone() throws Exception {
        start(Releases.WHEN_REPLACED);
        Pool pool = rig.new Pool(16 * 16 * 4);
        Buffer a = pool.buffer(0, 16, 16);
        int s = rig.surface();
        rig.roundtrip();
        rig.appEventsSentByNow();
        int callback = rig.newId("wl_callback");
        rig.released.remove(a.id());
        rig.holdCompositorEvents();
        rig.appSends(request(s, "wl_surface", "attach", a.id(), 0, 0), damage(s, 0, 0, 16, 16), request(s, "wl_surface", "commit"),
                request(1, "wl_display", "sync", callback));
        while (!rig.serve(1).get(0).spec().qualifiedName().equals("wl_display.sync")) {
            // the host buffer's pool and buffer, the attach and the commit come first
        }
        rig.flushCompositorEvents();
        MemoryConnection.Chunk first = rig.app.next(5000);
        assertThat(first).as("the app heard nothing").isNotNull();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(first.bytes()).order(java.nio.ByteOrder.nativeOrder());
        List<String> sent = new ArrayList<>();
        for (int at = 0; at + 8 <= b.limit(); at += b.getInt(at + 4) >>> 16) {
            sent.add(b.getInt(at) + ":" + (b.getInt(at + 4) & 0xffff));
        }
        assertThat(sent).as("objectId:opcode of the messages in the app's first receive")
                .startsWith(a.id() + ":0", callback + ":0");
    }

    @Test
    void aBufferAttachedToTwoSurfacesIsReleasedOnlyAfterBothCommits() throws Exception {
        start(Releases.AT_ONCE);
        Pool pool = rig.new Pool(16 * 16 * 4);
        Buffer a = pool.buffer(0, 16, 16);
        int s1 = rig.surface();
        int s2 = rig.surface();
        int[] scene = new int[256];
        java.util.Arrays.fill(scene, 0xff123456);
        a.fillAll(scene);
        rig.appSends(request(s2, "wl_surface", "attach", a.id(), 0, 0), damage(s2, 0, 0, 16, 16));
        rig.released.remove(a.id());
        rig.commit(s1, a, damage(s1, 0, 0, 16, 16));
        assertThat(rig.released).as("still pending on the second surface").doesNotContain(a.id());
        rig.appSends(request(s2, "wl_surface", "commit"));
        rig.roundtrip();
        assertThat(rig.released).contains(a.id());
        assertThat(rig.shownDiffers(s1, scene, 16, 16)).isZero();
        assertThat(rig.shownDiffers(s2, scene, 16, 16)).isZero();
    }

    /** A resize: the app's new buffer is larger; the host buffers of the old size go once free. */
    @Test
    void resizeTakesANewHostBufferAndFreesTheOldOnes() throws Exception {
        start(Releases.WHEN_REPLACED);
        int s = rig.surface();
        int[] small = new int[16 * 8];
        java.util.Arrays.fill(small, 0xff111111);
        Pool p1 = rig.new Pool(16 * 8 * 4 * 2);
        Buffer a = p1.buffer(0, 16, 8);
        Buffer b = p1.buffer(16 * 8 * 4, 16, 8);
        a.fillAll(small);
        rig.commit(s, a, damage(s, 0, 0, 16, 8));
        b.fillAll(small);
        rig.commit(s, b, damage(s, 0, 0, 16, 8));
        assertThat(rig.stats(s).hostBuffers()).isEqualTo(2);
        int[] big = new int[32 * 24];
        for (int i = 0; i < big.length; i++) {
            big[i] = 0xff000000 | i * 7;
        }
        Pool p2 = rig.new Pool(32 * 24 * 4 * 2);
        Buffer c = p2.buffer(0, 32, 24);
        Buffer d = p2.buffer(32 * 24 * 4, 32, 24);
        c.fillAll(big);
        rig.commit(s, c, damage(s, 0, 0, 32, 24));
        assertThat(rig.shownDiffers(s, big, 32, 24)).isZero();
        // The free small one went at once; the shown small one goes once the host let it go.
        assertThat(rig.stats(s).hostBuffers()).isEqualTo(2);
        d.fillAll(big);
        rig.commit(s, d, damage(s, 0, 0, 32, 24));
        assertThat(rig.shownDiffers(s, big, 32, 24)).isZero();
        assertThat(rig.stats(s).hostBuffers()).isEqualTo(2);
        assertThat(rig.shm.stats().hostBytes()).as("two 32x24 host buffers").isEqualTo(2L * 32 * 24 * 4);
        assertThat(rig.host.openBuffers()).isEqualTo(2);
    }

    /**
     * A pool of 512 MiB (as foot makes) costs no host memory; a buffer committed from it costs that
     * buffer's size, whatever the pool's.
     */
    @Test
    void hostMemoryFollowsWhatIsShownNotWhatIsPooled() throws Exception {
        start(Releases.AT_ONCE);
        Pool pool = rig.new Pool(512 << 20);
        Buffer b = pool.buffer(100 << 20, 64, 32);
        rig.roundtrip();
        assertThat(rig.host.allocated).as("no host memory for a pool").isEmpty();
        int s = rig.surface();
        int[] scene = new int[64 * 32];
        java.util.Arrays.fill(scene, 0xff00ff00);
        b.fillAll(scene);
        rig.commit(s, b, damage(s, 0, 0, 64, 32));
        assertThat(rig.host.allocated).hasSize(1);
        assertThat(rig.host.allocated.get(0).size()).isEqualTo(64 * 32 * 4);
        assertThat(rig.shownDiffers(s, scene, 64, 32)).isZero();
    }

    /**
     * A mapped pool lets the pages Crossway reads count in its memory (a sparse pool would fill up), so a
     * client's mapped pools are bounded like its host memory; pools beyond that are read without a mapping.
     */
    @Test
    void poolsAreMappedOnlyUpToTheClientsBound() throws Exception {
        start(Releases.AT_ONCE, ShmLimits.of(1 << 20, 1 << 30, 10));
        Pool a = rig.new Pool(600 << 10);
        Pool b = rig.new Pool(600 << 10);
        rig.roundtrip();
        assertThat(rig.kernel.openGuestMemories).extracting(GuestMemory::mappedBytes).containsExactlyInAnyOrder(600L << 10, 0L);
        a.destroy();
        rig.roundtrip();
        Pool c = rig.new Pool(600 << 10);
        rig.roundtrip();
        assertThat(rig.kernel.openGuestMemories).extracting(GuestMemory::mappedBytes).containsExactlyInAnyOrder(0L, 600L << 10);
        assertThat(b.id).isNotEqualTo(c.id);
    }

    @Test
    void destroyingTheSurfaceFreesItsHostBuffersAtOnce() throws Exception {
        start(Releases.WHEN_REPLACED);
        Pool pool = rig.new Pool(2 * 16 * 16 * 4);
        Buffer a = pool.buffer(0, 16, 16);
        Buffer b = pool.buffer(16 * 16 * 4, 16, 16);
        int s = rig.surface();
        rig.commit(s, a, damage(s, 0, 0, 16, 16));
        rig.commit(s, b, damage(s, 0, 0, 16, 16));
        assertThat(rig.shm.stats().liveHostBuffers()).isEqualTo(2);
        rig.appSends(request(s, "wl_surface", "destroy"));
        List<Message> served = rig.roundtrip();
        assertThat(served).extracting(m -> m.spec().qualifiedName()).containsSubsequence("wl_buffer.destroy", "wl_buffer.destroy",
                "wl_surface.destroy");
        assertThat(rig.shm.stats().liveHostBuffers()).isZero();
        assertThat(rig.host.openBuffers()).isZero();
        assertThat(rig.shm.stats().hostBytes()).isZero();
    }

    @Test
    void destroyingPoolAndBuffersClosesTheClientsFdAndTheAppGetsItsDeleteIds() throws Exception {
        start(Releases.AT_ONCE);
        Pool pool = rig.new Pool(4096);
        Buffer a = pool.buffer(0, 16, 16);
        Buffer b = pool.buffer(1024, 16, 16);
        rig.appSends(request(a.id(), "wl_buffer", "destroy"), request(pool.id, "wl_shm_pool", "destroy"));
        rig.roundtrip();
        assertThat(rig.appIds).as("delete_id for the buffer and the pool").doesNotContainKeys(a.id(), pool.id);
        assertThat(rig.kernel.openGuestMemories).as("the pool's last buffer is alive").hasSize(1);
        rig.appSends(request(b.id(), "wl_buffer", "destroy"));
        rig.roundtrip();
        assertThat(rig.appIds).doesNotContainKey(b.id());
        assertThat(rig.kernel.openGuestMemories).isEmpty();
        assertThat(rig.kernel.closed).contains(pool.fd);
        assertThat(rig.hostRequests).as("the host never heard of them")
                .doesNotContain("wl_shm.create_pool", "wl_shm_pool.create_buffer", "wl_buffer.destroy");
    }

    @Test
    void sessionEndFreesEverything() throws Exception {
        start(Releases.WHEN_REPLACED);
        Pool pool = rig.new Pool(4096);
        Buffer b = pool.buffer(0, 16, 16);
        rig.new Pool(8192);
        int s = rig.surface();
        rig.commit(s, b, damage(s, 0, 0, 16, 16));
        assertThat(rig.shm.stats().liveHostBuffers()).isEqualTo(1);
        assertThat(rig.session.heldFds().held()).as("two pools and a host buffer, an fd each").isEqualTo(3);
        rig.app.close();
        assertThat(rig.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rig.session.heldFds().held()).isZero();
        assertThat(rig.shm.stats().liveHostBuffers()).isZero();
        assertThat(rig.host.openBuffers()).isZero();
        assertThat(rig.kernel.openGuestMemories).isEmpty();
        assertThat(rig.kernel.closed).contains(pool.fd);
        assertThat(rig.closedStats.summary()).contains("shm 1 commits, 1024 B copied of 1024 B damaged, 0 host buffers (0 B)");
    }

    /**
     * The client truncates its pool's file after create_pool and commits: it gets wl_shm.error
     * invalid_fd on the buffer, as libwayland-server sends it; everything it held is freed.
     */
    @Test
    void aPoolThatShrankEndsOnlyThatClientWithAWlShmError() throws Exception {
        start(Releases.AT_ONCE);
        Pool pool = rig.new Pool(64 * 64 * 4);
        Buffer b = pool.buffer(0, 64, 64);
        int s = rig.surface();
        rig.commit(s, b, damage(s, 0, 0, 64, 64));
        rig.kernel.truncate(pool.fd, 0);
        rig.appSends(request(s, "wl_surface", "attach", b.id(), 0, 0), damage(s, 0, 0, 8, 8), request(s, "wl_surface", "commit"));
        Message error = rig.awaitError();
        assertThat(error.spec().qualifiedName()).isEqualTo("wl_display.error");
        assertThat(error.intArg(0)).isEqualTo(b.id());
        assertThat(error.intArg(1)).as("wl_shm.error.invalid_fd").isEqualTo(2);
        assertThat(error.stringArg(2)).startsWith("error accessing SHM buffer: the file behind wl_shm_pool@" + pool.id
                + " is smaller than the pool's 16384 bytes");
        assertThat(rig.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rig.host.openBuffers()).isZero();
        assertThat(rig.kernel.openGuestMemories).isEmpty();
        assertThat(rig.kernel.closed).contains(pool.fd);
    }

    @Test
    void poolsBeyondTheLimitAreANamedProtocolError() throws Exception {
        start(Releases.AT_ONCE, ShmLimits.of(1 << 20, 1 << 20, 3));
        for (int i = 0; i < 3; i++) {
            rig.new Pool(4096);
        }
        rig.roundtrip();
        rig.new Pool(4096);
        Message error = rig.awaitError();
        assertThat(error.intArg(0)).isEqualTo(1);
        assertThat(error.intArg(1)).isEqualTo(ProtocolError.NO_MEMORY);
        assertThat(error.stringArg(2)).isEqualTo("Crossway's limit of 3 wl_shm_pools per client is reached (each holds an fd in"
                + " the daemon); destroy pools no longer used, or raise crossway.limits.pools-per-client (--pools-per-client)");
        assertThat(rig.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rig.kernel.openGuestMemories).isEmpty();
    }

    @Test
    void hostMemoryBeyondTheClientsLimitIsANamedProtocolError() throws Exception {
        start(Releases.WHEN_REPLACED, ShmLimits.of(64 * 64 * 4 + 100, 1 << 30, 10));
        Pool pool = rig.new Pool(2 * 64 * 64 * 4);
        Buffer a = pool.buffer(0, 64, 64);
        Buffer b = pool.buffer(64 * 64 * 4, 64, 64);
        int s = rig.surface();
        rig.commit(s, a, damage(s, 0, 0, 64, 64));
        rig.appSends(request(s, "wl_surface", "attach", b.id(), 0, 0), request(s, "wl_surface", "commit"));
        Message error = rig.awaitError();
        assertThat(error.intArg(1)).isEqualTo(ProtocolError.NO_MEMORY);
        assertThat(error.stringArg(2)).isEqualTo("Crossway's limit on host memory per client is reached: wl_surface@" + s
                + " needs 16384 bytes more for a copy of its 64x64 buffer, and this client holds 16384 bytes (limit 16484 bytes;"
                + " raise crossway.limits.host-memory-per-client, --host-memory-per-client)");
        assertThat(rig.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rig.host.openBuffers()).isZero();
    }

    @Test
    void hostMemoryBeyondTheDaemonsLimitIsANamedProtocolErrorAndFreedMemoryCountsAgain() throws Exception {
        ShmLimits limits = ShmLimits.of(1 << 20, 64 * 64 * 4, 10);
        start(Releases.AT_ONCE, limits);
        Pool pool = rig.new Pool(64 * 64 * 4);
        Buffer a = pool.buffer(0, 64, 64);
        int s = rig.surface();
        rig.commit(s, a, damage(s, 0, 0, 64, 64));
        assertThat(limits.hostMemoryInUse().get()).isEqualTo(64 * 64 * 4);
        ShmRig first = rig;
        start(Releases.AT_ONCE, limits); // a second client of the same daemon
        Pool pool2 = rig.new Pool(64 * 64 * 4);
        Buffer b = pool2.buffer(0, 64, 64);
        int s2 = rig.surface();
        rig.appSends(request(s2, "wl_surface", "attach", b.id(), 0, 0), request(s2, "wl_surface", "commit"));
        Message error = rig.awaitError();
        assertThat(error.stringArg(2)).isEqualTo("Crossway's limit on host memory for all clients is reached: wl_surface@" + s2
                + " needs 16384 bytes more, and the daemon's clients hold 16384 bytes (limit 16384 bytes;"
                + " raise crossway.limits.host-memory, --host-memory)");
        first.app.close();
        assertThat(first.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(limits.hostMemoryInUse().get()).isZero();
        first.close();
    }

    /** A null attach removes what the surface showed: the next shm commit copies its buffer whole. */
    @ParameterizedTest
    @EnumSource(Releases.class)
    void afterANullAttachTheNextCommitCopiesTheWholeBuffer(Releases releases) throws Exception {
        start(releases);
        Pool pool = rig.new Pool(16 * 16 * 4);
        Buffer a = pool.buffer(0, 16, 16);
        int s = rig.surface();
        int[] scene = new int[256];
        java.util.Arrays.fill(scene, 0xff0000ff);
        a.fillAll(scene);
        rig.commit(s, a, damage(s, 0, 0, 16, 16));
        rig.appSends(request(s, "wl_surface", "attach", 0, 0, 0), request(s, "wl_surface", "commit"));
        rig.roundtrip();
        java.util.Arrays.fill(scene, 0xffff0000);
        a.fillAll(scene);
        long before = rig.shm.stats().bytesCopied();
        rig.commit(s, a, damage(s, 0, 0, 2, 2));
        assertThat(rig.shm.stats().bytesCopied() - before).isEqualTo(16 * 16 * 4);
        assertThat(rig.shownDiffers(s, scene, 16, 16)).isZero();
    }

    /**
     * xdg_toplevel_icon_v1.add_buffer names a client shm buffer outside wl_surface.attach: it gets a host
     * copy of its own, taken at once (the client may not change the buffer afterwards), freed with the icon.
     */
    @Test
    void anIconBufferGetsAHostCopyOfItsOwnUntilTheIconGoes() throws Exception {
        Schema withIcons = SchemaLoader.load(List.of(java.nio.file.Path.of(
                ShmSessionTest.class.getResource("/icon-protocol/xdg-toplevel-icon-v1.xml").toURI()).getParent()));
        SessionTest.schema = withIcons;
        try {
            rig = new ShmRig(withIcons, Releases.AT_ONCE, ShmLimits.defaults());
            rig.compositorSends(event(2, "wl_registry", "global", 9, "xdg_toplevel_icon_manager_v1", 1));
            rig.awaitApp(1);
            int manager = rig.newId("xdg_toplevel_icon_manager_v1");
            int icon = rig.newId("xdg_toplevel_icon_v1");
            rig.appSends(request(2, "wl_registry", "bind", 9, new NewId("xdg_toplevel_icon_manager_v1", 1, manager)),
                    request(manager, "xdg_toplevel_icon_manager_v1", "create_icon", icon));
            Pool pool = rig.new Pool(32 * 32 * 4);
            Buffer b = pool.buffer(0, 32, 32);
            int[] pixels = new int[32 * 32];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = 0xff000000 | i * 99;
            }
            b.fillAll(pixels);
            rig.appSends(request(icon, "xdg_toplevel_icon_v1", "add_buffer", b.id(), 1));
            List<Message> served = rig.roundtrip();
            Message add = served.stream().filter(m -> m.spec().name().equals("add_buffer")).findFirst().orElseThrow();
            ShmRig.HostView copy = rig.hostBuffers.get(add.intArg(0));
            assertThat(copy).as("the host got a buffer of Crossway's own").isNotNull();
            for (int i = 0; i < pixels.length; i++) {
                assertThat(copy.pixel(i % 32, i / 32)).isEqualTo(pixels[i]);
            }
            assertThat(rig.shm.stats().liveHostBuffers()).isEqualTo(1);
            rig.appSends(request(icon, "xdg_toplevel_icon_v1", "destroy"));
            served = rig.roundtrip();
            assertThat(served).extracting(m -> m.spec().qualifiedName()).contains("xdg_toplevel_icon_v1.destroy", "wl_buffer.destroy");
            assertThat(rig.shm.stats().liveHostBuffers()).isZero();
            assertThat(rig.host.openBuffers()).isZero();
        } finally {
            SessionTest.schema = schema;
        }
    }

    @Test
    void onlyFormatsCrosswayCanCopyAreAdvertised() throws Exception {
        start(Releases.AT_ONCE);
        rig.compositorSends(event(4, "wl_shm", "format", 0), event(4, "wl_shm", "format", 1),
                event(4, "wl_shm", "format", 0x3231564e /* nv12 */), event(4, "wl_shm", "format", 0x36314752 /* rgb565 */),
                event(4, "wl_shm", "format", 0x56595559 /* yuyv */), event(4, "wl_shm", "format", 0x12345678),
                event(4, "wl_shm", "format", 0x30334241 /* abgr2101010 */));
        List<Message> got = rig.awaitApp(4);
        assertThat(got).extracting(m -> m.intArg(0)).containsExactly(0, 1, 0x36314752, 0x30334241);
    }

    @Test
    void keymapArrivesAsASealedGuestCopy() throws Exception {
        start(Releases.AT_ONCE);
        int seat = rig.newId("wl_seat");
        int keyboard = rig.newId("wl_keyboard");
        rig.appSends(request(2, "wl_registry", "bind", 3, new NewId("wl_seat", 7, seat)), request(seat, "wl_seat", "get_keyboard", keyboard));
        rig.serve(2);
        byte[] keymap = "xkb_keymap { xkb_keycodes { include \"evdev\" }; };\0".getBytes(StandardCharsets.US_ASCII);
        int hostFd = rig.kernel.newFile(keymap.length);
        rig.kernel.file(hostFd).put(0, keymap);
        rig.compositor.send(SessionTest.encode(event(keyboard, "wl_keyboard", "keymap", 1, hostFd, keymap.length)),
                SessionTest.fds(hostFd));
        Message got = rig.awaitApp(1).get(0);
        int fd = got.intArg(1);
        assertThat(fd).isNotEqualTo(hostFd);
        byte[] content = new byte[keymap.length];
        rig.kernel.file(fd).get(0, content);
        assertThat(content).isEqualTo(keymap);
        assertThat(rig.kernel.sealed).contains(fd);
        assertThat(rig.kernel.closed).as("the compositor's fd").contains(hostFd);
        assertThat(rig.kernel.liveMappings()).isZero();
        assertThat(rig.shm.stats().keymapsCopied()).isEqualTo(1);
    }

    @Test
    void bufferWhosePixelsDoNotFitItsStrideIsAProtocolError() throws Exception {
        start(Releases.AT_ONCE);
        Pool pool = rig.new Pool(4096);
        rig.appSends(request(pool.id, "wl_shm_pool", "create_buffer", rig.newId("wl_buffer"), 0, 16, 16, 32, ShmRig.XRGB));
        Message error = rig.awaitError();
        assertThat(error.spec().name()).isEqualTo("error");
        assertThat(error.intArg(0)).isEqualTo(pool.id);
        assertThat(error.stringArg(2)).isEqualTo("invalid width, height or stride (16x16, 32)");
        assertThat(rig.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rig.kernel.openGuestMemories).isEmpty();
    }
}
