package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Crossway;
import dev.crossway.it.rig.Png;
import dev.crossway.it.rig.Weston;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Guest memory the host cannot see: Crossway on loopback with {@code --memory separate} mirrors shm
 * into host memfds, copying damage only. Real weston headless (pixman) and weston-screenshooter. The VM
 * transports run the same tests through subclasses, with their own host memory.
 */
class ShmMirrorIT {
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    /** weston-simple-shm draws a 250x250 window. */
    private static final int SIMPLE_SHM_SIZE = 250;
    /** weston's desktop-shell panel (with a clock that may tick between screenshots); windows go below it. */
    private static final int PANEL_HEIGHT = 32;
    private static final Pattern SHM_SUMMARY =
            Pattern.compile("shm (\\d+) commits, (\\d+) B copied of (\\d+) B damaged, (\\d+) host buffers");

    private final List<AutoCloseable> started = new ArrayList<>();

    @BeforeAll
    static void needsWestonAndTheDistribution() {
        List<String> missing = Weston.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        Crossway.launcher();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private Weston weston(String name) {
        Weston w = Weston.start(name);
        started.add(w);
        return w;
    }

    /** The transport under test, with {@code w} as the host compositor: loopback with separate memory here. */
    List<String> transportArgs(Weston w) {
        return List.of("--transport", "loopback", "--host-display", w.socketName(), "--memory", "separate");
    }

    /** Environment for the daemon (transport options without flags). */
    Map<String, String> transportEnv() {
        return Map.of();
    }

    /** The distribution to run. */
    Path home() {
        return Crossway.distribution();
    }

    /** Crossway with separate memory; {@code -v} logs each commit's copy, which failure messages quote. */
    private Crossway separate(Weston w, String socket) {
        List<String> args = new ArrayList<>(transportArgs(w));
        args.addAll(List.of("--socket", socket, "-v"));
        Crossway c = Crossway.start(home(), w.runtimeDir(), args, transportEnv());
        started.add(c);
        return c;
    }

    /** Runs weston-simple-shm for 3 s on {@code display} and takes a screenshot after 2 s. */
    private static Png simpleShm(Weston w, String display, Path shot) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Clients.Result> run = pool.submit(() ->
                    Clients.run(w.runtimeDir(), display, CLIENT_TIMEOUT, "timeout", "-s", "INT", "3", "weston-simple-shm"));
            Thread.sleep(2000);
            Png png = Png.read(w.screenshot(shot));
            Clients.Result r = run.get();
            assertThat(r.exitCode()).as("still running when interrupted (timeout's 124): " + r.describe()).isEqualTo(124);
            assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            return png;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * weston-simple-shm animates, so two runs never show the same frame, and weston places windows at
     * random. What is compared: in both runs (direct and through Crossway with separate memory) a
     * 250x250 region differs from the empty desktop, with a similar number of changed pixels; and
     * Crossway copied far less than a full buffer per commit.
     */
    @Test
    void simpleShmThroughSeparateMemoryLooksLikeTheDirectRun(@TempDir Path tmp) throws Exception {
        Weston w = weston("it-shmsep-host");
        Crossway cw = separate(w, "it-shmsep");
        Png empty = w.settledScreenshot(tmp.resolve("empty.png"), Duration.ofSeconds(10));

        Png direct = simpleShm(w, w.socketName(), tmp.resolve("direct.png"));
        Thread.sleep(500); // the window unmaps
        Png relayed = simpleShm(w, cw.socketName(), tmp.resolve("relayed.png"));

        int[] d = empty.changedBox(direct, PANEL_HEIGHT);
        int[] r = empty.changedBox(relayed, PANEL_HEIGHT);
        String closed = cw.awaitClosedClients(1, Duration.ofSeconds(10)).get(0);
        System.out.println("weston-simple-shm direct: changed region " + d[2] + "x" + d[3] + " at " + d[0] + "," + d[1] + " ("
                + d[4] + " px); through Crossway (separate memory): " + r[2] + "x" + r[3] + " at " + r[0] + "," + r[1] + " ("
                + r[4] + " px)\n  " + closed);
        assertThat(d[2]).as("direct window width").isEqualTo(SIMPLE_SHM_SIZE);
        assertThat(d[3]).as("direct window height").isEqualTo(SIMPLE_SHM_SIZE);
        assertThat(r[2]).as("relayed window width").isEqualTo(SIMPLE_SHM_SIZE);
        assertThat(r[3]).as("relayed window height").isEqualTo(SIMPLE_SHM_SIZE);
        assertThat(r[4]).as("changed pixels, relayed vs direct (" + d[4] + ")").isBetween(d[4] * 8 / 10, Math.min(d[4] * 12 / 10,
                SIMPLE_SHM_SIZE * SIMPLE_SHM_SIZE));

        Matcher m = SHM_SUMMARY.matcher(closed);
        assertThat(m.find()).as("shm counters in: " + closed).isTrue();
        long commits = Long.parseLong(m.group(1));
        long copied = Long.parseLong(m.group(2));
        assertThat(commits).as("commits in 3 s").isGreaterThanOrEqualTo(20);
        assertThat(m.group(4)).as("host buffers left").isEqualTo("0");
        long fullCopies = commits * SIMPLE_SHM_SIZE * SIMPLE_SHM_SIZE * 4;
        assertThat(copied).as("bytes copied vs a full copy per commit (" + fullCopies + ")").isLessThan(fullCopies);
    }

    /**
     * A client drawing known pixels with partial damage (surface and buffer damage) over 2 and 3
     * rotating buffers, through separate memory: the screenshot matches the client's image exactly.
     */
    @ParameterizedTest(name = "{0} buffers")
    @ValueSource(ints = {2, 3})
    void rotatingBuffersWithPartialDamageArePixelExactOnScreen(int count, @TempDir Path tmp) throws Exception {
        Weston w = weston("it-shmexact-host-" + count);
        Crossway cw = separate(w, "it-shmexact-" + count);
        Png empty = w.settledScreenshot(tmp.resolve("empty.png"), Duration.ofSeconds(10));
        int width = 160;
        int height = 120;
        int[] scene = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                scene[y * width + x] = (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x40;
            }
        }
        Random random = new Random(count);
        int frames = 30;
        try (ShmTestClient client = new ShmTestClient(cw.socketPath(), width, height, count)) {
            List<List<int[]>> age = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                age.add(ShmTestClient.rects(new int[] {0, 0, width, height}));
            }
            for (int frame = 0; frame < frames; frame++) {
                int[] rect;
                if (frame == 0) {
                    rect = new int[] {0, 0, width, height};
                } else {
                    int x = random.nextInt(width - 1);
                    int y = random.nextInt(height - 1);
                    rect = new int[] {x, y, 1 + random.nextInt(Math.min(40, width - x)), 1 + random.nextInt(Math.min(30, height - y))};
                    int colour = random.nextInt() & 0xffffff;
                    for (int yy = rect[1]; yy < rect[1] + rect[3]; yy++) {
                        for (int xx = rect[0]; xx < rect[0] + rect[2]; xx++) {
                            scene[yy * width + xx] = colour ^ (xx * 7 + yy * 13);
                        }
                    }
                }
                for (List<int[]> a : age) {
                    a.add(rect);
                }
                int i = frame % count;
                client.awaitRelease(i);
                client.draw(i, scene, age.get(i));
                age.get(i).clear();
                int[] damage = {rect[0], rect[1], rect[2], rect[3], frame % 2}; // odd frames: damage_buffer
                client.commit(i, List.of(damage));
            }
            client.roundtrip();
            Png shot = w.settledScreenshot(tmp.resolve("window.png"), Duration.ofSeconds(10));
            int[] box = empty.changedBox(shot, PANEL_HEIGHT);
            int bad = 0;
            int firstBadX = -1;
            int firstBadY = -1;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int sx = box[0] + x;
                    int sy = box[1] + y;
                    if (sx >= shot.width() || sy >= shot.height() || shot.rgb(sx, sy) != scene[y * width + x]) {
                        if (bad++ == 0) {
                            firstBadX = x;
                            firstBadY = y;
                        }
                    }
                }
            }
            System.out.println(count + " buffers, " + frames + " frames: window at " + box[0] + "," + box[1] + " ("
                    + box[2] + "x" + box[3] + " changed); " + bad + " pixels differ from the client's image"
                    + (bad > 0 ? " (first at " + firstBadX + "," + firstBadY + ": expected " + Integer.toHexString(
                    scene[firstBadY * width + firstBadX]) + ", got " + Integer.toHexString(shot.rgb(box[0] + firstBadX,
                    box[1] + firstBadY)) + ")" : ""));
            assertThat(box[2]).as("changed width").isEqualTo(width);
            assertThat(box[3]).as("changed height").isEqualTo(height);
            assertThat(bad).as("pixels on screen that differ from the client's image; Crossway's log:\n"
                    + cw.log().lines().filter(l -> l.contains("ShmInterceptor")).limit(8).reduce("", (a, b) -> a + b + "\n")).isZero();
        }
        String closed = cw.awaitClosedClients(1, Duration.ofSeconds(10)).get(0);
        System.out.println("  " + closed);
        Matcher m = SHM_SUMMARY.matcher(closed);
        assertThat(m.find()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(frames + 1); // + the initial commit without a buffer
        assertThat(m.group(4)).isEqualTo("0");
    }
}
