package dev.crossway.bench;

import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.testsuite.client.RoundTrips;
import dev.crossway.testsuite.client.ShmBuffers;
import dev.crossway.testsuite.client.WaylandClient;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark workloads, each a real Wayland client. Every run prints one line of
 * {@code key=value} pairs for the harness ({@code scripts/bench}) to collect.
 *
 * <pre>
 * roundtrip SOCKET COUNT               wl_display.sync round trips: p50/p99 in microseconds
 * clients SOCKET CLIENTS SECONDS       concurrent clients doing round trips: aggregate per second
 * shm SOCKET WIDTH HEIGHT FRAMES PCT [PATTERN [sealed|unsealed [paced]]]   XRGB8888 commits with PCT % damage, each
 *                                     followed by a round trip (paced: by the frame callback's done instead);
 *                                     PATTERN: rotating (default), new-buffer, new-pool, resize; pools sealed (default) or unsealed
 * </pre>
 */
public final class Workloads {
    private Workloads() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Workloads roundtrip|clients|shm SOCKET ...");
            System.exit(2);
        }
        Schema schema = SchemaLoader.loadBundled();
        Path socket = Path.of(args[1]);
        switch (args[0]) {
            case "roundtrip" -> roundtrip(schema, socket, Integer.parseInt(args[2]));
            case "clients" -> clients(schema, socket, Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "shm" -> shm(schema, socket, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Double.parseDouble(args[5]), args.length > 6 ? BufferPattern.of(args[6]) : BufferPattern.ROTATING,
                    args.length <= 7 || !args[7].equals("unsealed"), args.length > 8 && args[8].equals("paced"),
                    args.length > 8 && args[8].equals("copying"));
            default -> {
                System.err.println("unknown workload " + args[0]);
                System.exit(2);
            }
        }
    }

    static void roundtrip(Schema schema, Path socket, int count) throws Exception {
        try (WaylandClient c = WaylandClient.connect(socket, schema)) {
            System.out.println("workload=roundtrip " + RoundTrips.count(c, count).line());
        }
    }

    static void clients(Schema schema, Path socket, int clients, double seconds) throws Exception {
        AtomicLong total = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(clients);
        long[] start = new long[1];
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (WaylandClient c = WaylandClient.connect(socket, schema)) {
                    ready.countDown();
                    ready.await();
                    long n = 0;
                    while (System.nanoTime() < deadline) {
                        c.roundtrip();
                        n++;
                    }
                    total.addAndGet(n);
                } catch (Throwable e) {
                    failures.add(e);
                    ready.countDown();
                }
            });
            threads.add(t);
        }
        start[0] = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " clients failed", failures.get(0));
        }
        double elapsed = (System.nanoTime() - start[0]) / 1e9;
        System.out.printf("workload=clients clients=%d roundtrips_per_s=%.0f%n", clients, total.get() / elapsed);
    }

    /** How a shm workload gets the buffer of each frame. */
    enum BufferPattern {
        /** Two buffers in one pool, each drawn when the compositor (or Crossway) released it. */
        ROTATING,
        /** A new wl_buffer every frame over one pool; the previous one destroyed once released. */
        NEW_BUFFER,
        /** A new wl_shm_pool and wl_buffer every frame (the pool destroyed at once), as GTK3 draws. */
        NEW_POOL,
        /** Two rotating buffers; every 50 frames the window switches between 1920×1080 and 1600×900. */
        RESIZE;

        static BufferPattern of(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }

        /** The client's buffers: rotating ones are taken whichever is released first, as a client that waits for none would. */
        ShmBuffers buffers(WaylandClient c, int shm, boolean sealed) {
            ShmBuffers.Pattern p = switch (this) {
                case ROTATING, RESIZE -> ShmBuffers.Pattern.TWO_ROTATING;
                case NEW_BUFFER -> ShmBuffers.Pattern.NEW_BUFFER_EVERY_FRAME;
                case NEW_POOL -> ShmBuffers.Pattern.NEW_POOL_EVERY_FRAME;
            };
            return new ShmBuffers(c, shm, p).sealed(sealed).anyReleased(true);
        }
    }

    static void shm(Schema schema, Path socket, int width, int height, int frames, double damagePercent) throws Exception {
        shm(schema, socket, width, height, frames, damagePercent, BufferPattern.ROTATING, true);
    }

    static void shm(Schema schema, Path socket, int width, int height, int frames, double damagePercent, BufferPattern pattern,
                    boolean sealed) throws Exception {
        shm(schema, socket, width, height, frames, damagePercent, pattern, sealed, false, false);
    }

    /**
     * XRGB8888 frames with {@code damagePercent} % damage (a square that moves), each followed by a round
     * trip, or when {@code paced} by the done of a frame callback requested with the commit, as toolkits
     * draw (the compositor then repaints between commits); the buffers come as {@code pattern} says.
     * Every buffer is drawn only after its release, and drawn whole when new. {@code sealed}: pools are
     * memfds sealed against shrinking, as weston's, foot's and libwayland-cursor's are; otherwise plain memfds.
     *
     * <p>{@code copying} (rotating buffers only) makes the client a copying proxy with no cost of its own: it paints
     * into two rotating canvases of its own memory and copies what the buffer it attaches lacks (this frame's
     * damage and the previous frame's) into that buffer before the commit, as any proxy that copies into host
     * buffers must against a compositor that keeps the buffer it shows. Its frame time is the floor of every copy
     * path on this machine: the paint, the copy and their memory traffic, no relay.
     */
    static void shm(Schema schema, Path socket, int width, int height, int frames, double damagePercent, BufferPattern pattern,
                    boolean sealed, boolean paced, boolean copying) throws Exception {
        if (copying && pattern != BufferPattern.ROTATING) {
            throw new IllegalArgumentException("a copying client rotates two buffers");
        }
        try (WaylandClient c = WaylandClient.connect(socket, schema)) {
            int shm = c.bind("wl_shm", 1);
            int surface = c.toplevel("crossway-bench").surface();
            ShmBuffers f = pattern.buffers(c, shm, sealed);
            int warmup = Math.min(20, frames);
            long[] ns = new long[frames];
            // Bytes damaged, and the least any proxy that copies into host buffers must copy for them when the
            // compositor keeps the buffer it shows until the next commit replaces it (weston and sway with
            // pixman): the host buffer a commit fills was last filled two commits before, so it lacks this
            // frame's damage and the previous frame's, and one of a new size lacks everything.
            long damagedBytes = 0;
            long floorBytes = 0;
            int[] previous = null;
            ByteBuffer[] canvases = copying
                    ? new ByteBuffer[] {ByteBuffer.allocateDirect(width * height * 4), ByteBuffer.allocateDirect(width * height * 4)}
                    : null;
            for (int i = -warmup; i < frames; i++) {
                int frame = i + warmup;
                int w = pattern == BufferPattern.RESIZE && (frame / 50) % 2 == 1 ? width * 5 / 6 : width;
                int h = pattern == BufferPattern.RESIZE && (frame / 50) % 2 == 1 ? height * 5 / 6 : height;
                int side = (int) Math.round(Math.sqrt(damagePercent / 100.0 * w * h));
                int dw = damagePercent >= 100 ? w : Math.min(w, side);
                int dh = damagePercent >= 100 ? h : Math.min(h, side);
                long t0 = System.nanoTime();
                // The first frames are damaged whole, so the window shows a whole picture. A new buffer is
                // drawn whole (GTK3 copies its last frame into it) but damaged only where the frame changed.
                // After a resize the client damages its new buffer whole, as a compositor counts it anyway.
                boolean resized = pattern == BufferPattern.RESIZE && frame % 50 == 0;
                boolean full = frame < 2 || damagePercent >= 100 || resized;
                int rx = full ? 0 : (frame * 37) % (w - dw + 1);
                int ry = full ? 0 : (frame * 23) % (h - dh + 1);
                int rw = full ? w : dw;
                int rh = full ? h : dh;
                int[] damage = {rx, ry, rw, rh};
                boolean freshHostBuffer = frame < 2 || pattern == BufferPattern.RESIZE && frame % 50 <= 1;
                damagedBytes += 4L * rw * rh;
                floorBytes += 4 * (freshHostBuffer ? (long) w * h : unionArea(previous, damage));
                int[] lacking = previous;
                previous = damage;
                ShmBuffers.Buffer b = f.next(w, h, damage);
                if (copying) {
                    ByteBuffer canvas = canvases[frame % 2];
                    paint(canvas, 0, w * 4, rx, ry, rw, rh, 0xff000000 | (frame * 0x010203));
                    copyRect(canvas, b.pixels, b.offset, w * 4, damage);
                    if (!full && !freshHostBuffer) {
                        copyRect(canvas, b.pixels, b.offset, w * 4, lacking);
                    }
                } else {
                    if (b.isNew && !full) {
                        paint(b.pixels, b.offset, w * 4, 0, 0, w, h, 0xff000000 | ((frame - 1) * 0x010203));
                    }
                    paint(b.pixels, b.offset, w * 4, rx, ry, rw, rh, 0xff000000 | (frame * 0x010203));
                }
                c.request(surface, "attach", b.id, 0, 0);
                c.request(surface, "damage_buffer", rx, ry, rw, rh);
                int frameDone = paced ? c.newObject("wl_callback") : 0;
                if (paced) {
                    c.request(surface, "frame", frameDone);
                }
                c.request(surface, "commit");
                if (paced) {
                    c.awaitCallback(frameDone);
                } else {
                    c.roundtrip();
                }
                f.committed(b);
                if (i >= 0) {
                    ns[i] = System.nanoTime() - t0;
                }
            }
            f.close();
            Arrays.sort(ns);
            long sum = 0;
            for (long v : ns) {
                sum += v;
            }
            System.out.printf("workload=shm pattern=%s sealed=%b paced=%b width=%d height=%d damage_pct=%.0f frames=%d median_ms=%.3f"
                            + " fps=%.1f damaged_bytes=%d floor_bytes=%d%n",
                    pattern.name().toLowerCase(java.util.Locale.ROOT), sealed, paced, width, height, damagePercent, frames, ns[frames / 2] / 1e6,
                    frames / (sum / 1e9), damagedBytes, floorBytes);
        }
    }

    /** Pixels in the union of two rectangles {x, y, width, height}. */
    static long unionArea(int[] a, int[] b) {
        long ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
        long iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
        return (long) a[2] * a[3] + (long) b[2] * b[3] - ix * iy;
    }

    /** Copies rectangle {x, y, width, height} between two buffers of the same stride, as a proxy copies: one put per row, or one for whole rows. */
    private static void copyRect(ByteBuffer from, ByteBuffer to, int base, int stride, int[] r) {
        int rowBytes = r[2] * 4;
        if (rowBytes == stride) {
            to.put(base + r[1] * stride, from, r[1] * stride, rowBytes * r[3]);
            return;
        }
        for (int row = r[1]; row < r[1] + r[3]; row++) {
            to.put(base + row * stride + r[0] * 4, from, row * stride + r[0] * 4, rowBytes);
        }
    }

    private static void paint(ByteBuffer pixels, int base, int stride, int x, int y, int w, int h, int argb) {
        for (int row = y; row < y + h; row++) {
            int p = base + row * stride + x * 4;
            for (int col = 0; col < w; col++) {
                pixels.putInt(p + col * 4, argb);
            }
        }
    }

}
