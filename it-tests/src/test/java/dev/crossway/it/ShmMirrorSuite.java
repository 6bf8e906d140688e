package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.it.ShmTestClient.Mode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Guest memory the host cannot see: Crossway mirrors shm into host buffers of each surface, copying
 * damage only. Real weston headless (pixman) and weston-screenshooter. Written once; each transport
 * with separate memory runs it through a subclass.
 */
abstract class ShmMirrorSuite {
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    /** weston-simple-shm draws a 250x250 window. */
    private static final int SIMPLE_SHM_SIZE = 250;
    /** weston's desktop-shell panel (with a clock that may tick between screenshots); windows go below it. */
    private static final int PANEL_HEIGHT = 32;
    static final Pattern SHM_SUMMARY = Pattern.compile(
            "shm (\\d+) commits, (\\d+) B copied of (\\d+) B damaged, (\\d+) host buffers \\((\\d+) B\\), (\\d+) early releases");

    private final List<AutoCloseable> started = new ArrayList<>();

    /** Arguments that select the transport with separate memory, with {@code w} as the host compositor. */
    abstract List<String> transportArgs(Weston w);

    Map<String, String> transportEnv() {
        return Map.of();
    }

    Path home() {
        return Crossway.distribution();
    }

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

    Weston weston(String name) {
        Weston w = Weston.start(name);
        started.add(w);
        return w;
    }

    /** Crossway on this transport; {@code -v} logs each commit's copy, which failure messages quote. */
    Crossway crossway(Weston w, String socket) {
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
     * random. What is compared: in both runs (direct and through Crossway) a 250x250 region differs from
     * the empty desktop, with a similar number of changed pixels; and Crossway copied about what was
     * damaged, with every buffer released early and no host buffer left.
     */
    @Test
    void simpleShmThroughSeparateMemoryLooksLikeTheDirectRun(@TempDir Path tmp) throws Exception {
        Weston w = weston("it-shmsep-host");
        Crossway cw = crossway(w, "it-shmsep");
        Png empty = w.settledScreenshot(tmp.resolve("empty.png"), Duration.ofSeconds(10));

        Png direct = simpleShm(w, w.socketName(), tmp.resolve("direct.png"));
        Thread.sleep(500); // the window unmaps
        Png relayed = simpleShm(w, cw.socketName(), tmp.resolve("relayed.png"));

        int[] d = empty.changedBox(direct, PANEL_HEIGHT);
        int[] r = empty.changedBox(relayed, PANEL_HEIGHT);
        String closed = cw.awaitClosedClients(1, Duration.ofSeconds(10)).get(0);
        System.out.println("weston-simple-shm direct: changed region " + d[2] + "x" + d[3] + " at " + d[0] + "," + d[1] + " ("
                + d[4] + " px); through Crossway: " + r[2] + "x" + r[3] + " at " + r[0] + "," + r[1] + " ("
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
        long damaged = Long.parseLong(m.group(3));
        assertThat(commits).as("commits in 3 s").isGreaterThanOrEqualTo(20);
        assertThat(m.group(4)).as("host buffers left").isEqualTo("0");
        assertThat(m.group(5)).as("host bytes left").isEqualTo("0");
        assertThat(Long.parseLong(m.group(6))).as("early releases").isGreaterThanOrEqualTo(commits - 2);
        // weston-simple-shm damages its whole window every frame: each frame is copied once.
        assertThat(copied).as("bytes copied vs bytes damaged (" + damaged + ")").isLessThanOrEqualTo(damaged * 11 / 10);
    }

    /**
     * A client drawing known pixels with partial damage (surface and buffer damage) in each buffer
     * pattern, and through two resizes when {@code resize}: the screenshot matches the client's image
     * exactly, and the bytes copied stay within what weston's holding of one buffer forces (each commit
     * fills the other host buffer with the last two frames' damage; plus one full fill per size).
     */
    @ParameterizedTest(name = "{0}, resizing: {1}")
    @CsvSource({"TWO_ROTATING, false", "THREE_ROTATING, false", "NEW_BUFFER_EVERY_FRAME, false", "NEW_POOL_EVERY_FRAME, false",
            "TWO_ROTATING, true", "NEW_POOL_EVERY_FRAME, true"})
    void everyBufferPatternIsPixelExactOnScreen(Mode mode, boolean resize, @TempDir Path tmp) throws Exception {
        Weston w = weston("it-shmexact-host");
        Crossway cw = crossway(w, "it-shmexact");
        Png empty = w.settledScreenshot(tmp.resolve("empty.png"), Duration.ofSeconds(10));
        int[][] sizes = resize ? new int[][] {{120, 90}, {200, 150}, {160, 120}} : new int[][] {{160, 120}};
        Random random = new Random(mode.ordinal());
        int frames = 30;
        int width = 0;
        int height = 0;
        int[] scene = null;
        long fullFills = 0;
        try (ShmTestClient client = new ShmTestClient(cw.socketPath(), mode)) {
            for (int frame = 0; frame < frames; frame++) {
                int[] size = sizes[frame * sizes.length / frames];
                int[] rect;
                if (size[0] != width) {
                    width = size[0];
                    height = size[1];
                    scene = new int[width * height];
                    for (int y = 0; y < height; y++) {
                        for (int x = 0; x < width; x++) {
                            scene[y * width + x] = (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x40;
                        }
                    }
                    rect = new int[] {0, 0, width, height};
                    fullFills += 2L * width * height * 4;
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
                client.frame(scene, width, height, rect, frame % 2 == 1);
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
            System.out.println(mode + (resize ? " resizing" : "") + ", " + frames + " frames: window at " + box[0] + "," + box[1] + " ("
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
        long copied = Long.parseLong(m.group(2));
        long damaged = Long.parseLong(m.group(3));
        assertThat(Long.parseLong(m.group(1))).isEqualTo(frames + 1); // + the initial commit without a buffer
        assertThat(m.group(4)).isEqualTo("0");
        assertThat(copied).as("copied vs 2 x damaged (" + damaged + ") + one full fill per host buffer and size")
                .isLessThanOrEqualTo(2 * damaged + fullFills);
    }

    /**
     * A client shrinks its pool's file to nothing after create_pool and commits: it gets
     * {@code wl_shm.error(invalid_fd)} and is disconnected; the daemon lives on, another client draws on
     * undisturbed, and once both are gone the daemon holds no more fds than before them.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TWO_ROTATING", "NEW_POOL_EVERY_FRAME"})
    void aClientThatShrinksItsPoolGetsAWlShmErrorAndNothingLeaks(Mode mode, @TempDir Path tmp) throws Exception {
        Weston w = weston("it-shmtrunc-host");
        Crossway cw = crossway(w, "it-shmtrunc");
        int[] scene = new int[64 * 48];
        java.util.Arrays.fill(scene, 0x336699);
        // A first client starts what the daemon starts once (a transport's worker threads), so the baseline is fair.
        try (ShmTestClient warmUp = new ShmTestClient(cw.socketPath(), Mode.TWO_ROTATING)) {
            warmUp.frame(scene, 64, 48, new int[] {0, 0, 64, 48}, false);
        }
        cw.awaitClosedClients(1, Duration.ofSeconds(10));
        Crossway.ProcStats before = awaitFds(cw, -1);
        String error;
        try (ShmTestClient innocent = new ShmTestClient(cw.socketPath(), Mode.TWO_ROTATING);
             ShmTestClient hostile = new ShmTestClient(cw.socketPath(), mode)) {
            innocent.frame(scene, 64, 48, new int[] {0, 0, 64, 48}, false);
            hostile.frame(scene, 64, 48, new int[] {0, 0, 64, 48}, false);
            error = hostile.truncatePoolAndCommit();
            for (int i = 0; i < 10; i++) {
                scene[i] = 0x10000 * i;
                innocent.frame(scene, 64, 48, new int[] {i, 0, 1, 1}, false);
            }
            innocent.roundtrip();
        }
        System.out.println("the hostile client got: " + error);
        assertThat(error).startsWith("error on object").contains("code 2: error accessing SHM buffer: the file behind wl_shm_pool@")
                .contains("(the client shrank it)");
        assertThat(cw.isAlive()).isTrue();
        List<String> closed = cw.awaitClosedClients(3, Duration.ofSeconds(10)).subList(1, 3);
        for (String line : closed) {
            Matcher m = SHM_SUMMARY.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            assertThat(m.group(4) + " " + m.group(5)).as("host buffers left: " + line).isEqualTo("0 0");
        }
        Crossway.ProcStats after = awaitFds(cw, before.openFds());
        System.out.println("daemon before the clients: " + before + "; after: " + after);
        assertThat(after.openFds()).as("daemon fds").isEqualTo(before.openFds());
        assertThat(after.threads()).as("daemon threads").isLessThanOrEqualTo(before.threads());
        assertThat(cw.log()).doesNotContain("InternalError").doesNotContain("internal error");
    }

    /** The daemon's stats once its fd count is back to {@code expected} (-1: settled), or after 5 s. */
    static Crossway.ProcStats awaitFds(Crossway cw, int expected) throws InterruptedException {
        if (expected < 0) {
            Thread.sleep(500);
            return cw.stats();
        }
        Crossway.ProcStats s = cw.stats();
        for (int i = 0; i < 50 && s.openFds() != expected; i++) {
            Thread.sleep(100);
            s = cw.stats();
        }
        return s;
    }
}
