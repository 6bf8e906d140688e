package dev.crossway.vm.guest;

import dev.crossway.bench.WaylandClient;
import dev.crossway.linux.Fds;
import dev.crossway.protocol.SchemaLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A known picture drawn the way a careful client draws: an XRGB8888 toplevel over 2 or 3 rotating
 * shm buffers, each frame one small rectangle of new colour with damage for just that rectangle
 * (surface damage on even frames, buffer damage on odd ones), a buffer reused only after its
 * {@code wl_buffer.release} and brought up to date with what it missed (buffer age). The guest runs
 * {@link #main}; the test machine computes with {@link #expected} what the screen must show.
 *
 * <pre>DamageScene SOCKET BUFFERS STOP_FILE</pre>
 * Prints {@code drawn} once the last frame is on screen, keeps the window until STOP_FILE exists
 * (at most two minutes), then exits.
 */
public final class DamageScene {
    public static final int WIDTH = 160;
    public static final int HEIGHT = 120;
    public static final int FRAMES = 30;

    private final int buffers;
    private final int[] scene = new int[WIDTH * HEIGHT];
    private final Random random;
    private int frame;

    private DamageScene(int buffers) {
        this.buffers = buffers;
        this.random = new Random(buffers);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                scene[y * WIDTH + x] = (x * 255 / WIDTH) << 16 | (y * 255 / HEIGHT) << 8 | 0x40;
            }
        }
    }

    /** The picture after every frame, as {@code 0xRRGGBB} per pixel, row by row. */
    public static int[] expected(int buffers) {
        DamageScene s = new DamageScene(buffers);
        while (s.frame < FRAMES) {
            s.next();
        }
        return s.scene;
    }

    /** Advances the picture by one frame; returns the damaged rectangle {@code x, y, w, h}. */
    private int[] next() {
        int[] rect;
        if (frame == 0) {
            rect = new int[] {0, 0, WIDTH, HEIGHT};
        } else {
            int x = random.nextInt(WIDTH - 1);
            int y = random.nextInt(HEIGHT - 1);
            rect = new int[] {x, y, 1 + random.nextInt(Math.min(40, WIDTH - x)), 1 + random.nextInt(Math.min(30, HEIGHT - y))};
            int colour = random.nextInt() & 0xffffff;
            for (int yy = rect[1]; yy < rect[1] + rect[3]; yy++) {
                for (int xx = rect[0]; xx < rect[0] + rect[2]; xx++) {
                    scene[yy * WIDTH + xx] = colour ^ (xx * 7 + yy * 13);
                }
            }
        }
        frame++;
        return rect;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DamageScene SOCKET BUFFERS STOP_FILE");
            System.exit(2);
        }
        new DamageScene(Integer.parseInt(args[1])).draw(Path.of(args[0]), Path.of(args[2]));
    }

    private void draw(Path socket, Path stopFile) throws IOException, InterruptedException {
        try (WaylandClient c = WaylandClient.connect(socket, SchemaLoader.loadBundled())) {
            int[] bufferIds = new int[buffers];
            Set<Integer> released = new HashSet<>();
            Set<Integer> done = new HashSet<>();
            c.onEvent(m -> {
                switch (m.spec().qualifiedName()) {
                    case "wl_buffer.release" -> released.add(m.objectId());
                    case "wl_callback.done" -> done.add(m.objectId());
                    default -> {
                    }
                }
            });
            int shm = c.bind("wl_shm", 1);
            int surface = c.toplevel("crossway damage scene").surface();

            int size = WIDTH * HEIGHT * 4;
            int fd = Fds.memfd("crossway-damage-scene", (long) size * buffers);
            ByteBuffer pixels = Fds.map(fd, (long) size * buffers, true).order(ByteOrder.LITTLE_ENDIAN);
            int pool = c.newObject("wl_shm_pool");
            c.request(shm, "create_pool", pool, fd, size * buffers); // the send closes our fd; the mapping stays
            for (int i = 0; i < buffers; i++) {
                bufferIds[i] = c.newObject("wl_buffer");
                c.request(pool, "create_buffer", bufferIds[i], i * size, WIDTH, HEIGHT, WIDTH * 4, 1 /* xrgb8888 */);
                released.add(bufferIds[i]);
            }
            c.request(pool, "destroy");

            // What each buffer has missed since it was last drawn: the damage of the frames in between.
            List<List<int[]>> missed = new ArrayList<>();
            for (int i = 0; i < buffers; i++) {
                missed.add(new ArrayList<>());
            }
            while (frame < FRAMES) {
                int[] rect = next();
                missed.forEach(m -> m.add(rect));
                int i = (frame - 1) % buffers;
                c.flush();
                while (!released.contains(bufferIds[i])) {
                    c.dispatch();
                }
                released.remove(bufferIds[i]);
                for (int[] r : missed.get(i)) {
                    paint(pixels, i * size, r);
                }
                missed.get(i).clear();
                c.request(surface, "attach", bufferIds[i], 0, 0);
                c.request(surface, frame % 2 == 0 ? "damage_buffer" : "damage", rect[0], rect[1], rect[2], rect[3]);
                int callback = c.newObject("wl_callback");
                c.request(surface, "frame", callback);
                c.request(surface, "commit");
                c.flush();
                while (!done.remove(callback)) {
                    c.dispatch();
                }
            }
            c.roundtrip();
            System.out.println("drawn " + FRAMES + " frames over " + buffers + " buffers");
            System.out.flush();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.exists(stopFile) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Fds.unmap(pixels);
        }
    }

    private void paint(ByteBuffer pixels, int base, int[] r) {
        for (int y = r[1]; y < r[1] + r[3]; y++) {
            for (int x = r[0]; x < r[0] + r[2]; x++) {
                // X = 0xff: weston's screenshooter reads the framebuffer as ARGB, where X = 0 is transparent.
                pixels.putInt(base + (y * WIDTH + x) * 4, 0xff000000 | scene[y * WIDTH + x]);
            }
        }
    }
}
