package dev.crossway.bench;

import dev.crossway.linux.Fds;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
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
 * shm SOCKET WIDTH HEIGHT FRAMES PCT   XRGB8888 commits with PCT % damage, each followed by a round trip
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
                    Double.parseDouble(args[5]));
            default -> {
                System.err.println("unknown workload " + args[0]);
                System.exit(2);
            }
        }
    }

    static void roundtrip(Schema schema, Path socket, int count) throws Exception {
        try (WaylandClient c = WaylandClient.connect(socket, schema)) {
            for (int i = 0; i < Math.min(2000, count); i++) {
                c.roundtrip(); // warm-up, also for the JIT of whoever is in between
            }
            long[] ns = new long[count];
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                c.roundtrip();
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            System.out.printf("workload=roundtrip count=%d p50_us=%.1f p99_us=%.1f%n", count, ns[count / 2] / 1e3,
                    ns[(int) (count * 0.99)] / 1e3);
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

    static void shm(Schema schema, Path socket, int width, int height, int frames, double damagePercent) throws Exception {
        try (WaylandClient c = WaylandClient.connect(socket, schema)) {
            int shm = c.bind("wl_shm", 1);
            boolean[] busy = new boolean[2];
            int[] buffers = new int[2];
            c.onEvent(m -> {
                if (m.spec().qualifiedName().equals("wl_buffer.release")) {
                    for (int i = 0; i < 2; i++) {
                        if (buffers[i] == m.objectId()) {
                            busy[i] = false;
                        }
                    }
                }
            });
            int surface = c.toplevel("crossway-bench").surface();

            int stride = width * 4;
            int bufferSize = stride * height;
            int fd = Fds.memfd("crossway-bench", 2L * bufferSize);
            ByteBuffer pixels = Fds.map(fd, 2L * bufferSize, true);
            int pool = c.newObject("wl_shm_pool");
            c.request(shm, "create_pool", pool, fd, 2 * bufferSize);
            for (int i = 0; i < 2; i++) {
                buffers[i] = c.newObject("wl_buffer");
                c.request(pool, "create_buffer", buffers[i], i * bufferSize, width, height, stride, 1);
            }
            int side = (int) Math.round(Math.sqrt(damagePercent / 100.0 * width * height));
            int dw = damagePercent >= 100 ? width : Math.min(width, side);
            int dh = damagePercent >= 100 ? height : Math.min(height, side);
            int warmup = Math.min(20, frames);
            long[] ns = new long[frames];
            for (int f = -warmup; f < frames; f++) {
                int b = pickFree(c, busy);
                int frame = f + warmup;
                // First frames of each buffer are full damage so the window shows a whole picture.
                boolean full = frame < 2 || damagePercent >= 100;
                int x = full ? 0 : (frame * 37) % (width - dw + 1);
                int y = full ? 0 : (frame * 23) % (height - dh + 1);
                int w = full ? width : dw;
                int h = full ? height : dh;
                long t0 = System.nanoTime();
                paint(pixels, b * bufferSize, stride, x, y, w, h, 0xff000000 | (frame * 0x010203));
                busy[b] = true;
                c.request(surface, "attach", buffers[b], 0, 0);
                c.request(surface, "damage_buffer", x, y, w, h);
                c.request(surface, "commit");
                c.roundtrip();
                if (f >= 0) {
                    ns[f] = System.nanoTime() - t0;
                }
            }
            Fds.unmap(pixels);
            Arrays.sort(ns);
            long sum = 0;
            for (long v : ns) {
                sum += v;
            }
            System.out.printf("workload=shm width=%d height=%d damage_pct=%.0f frames=%d median_ms=%.3f fps=%.1f%n", width, height,
                    damagePercent, frames, ns[frames / 2] / 1e6, frames / (sum / 1e9));
        }
    }

    private static int pickFree(WaylandClient c, boolean[] busy) throws java.io.IOException {
        while (busy[0] && busy[1]) {
            c.dispatch();
        }
        return busy[0] ? 1 : 0;
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
