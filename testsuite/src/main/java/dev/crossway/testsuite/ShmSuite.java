package dev.crossway.testsuite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.testsuite.client.Scene;
import dev.crossway.testsuite.client.ShmBuffers.Pattern;
import dev.crossway.testsuite.client.TestClient;
import dev.crossway.testsuite.rig.ClientRun;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Daemon;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.Png;
import dev.crossway.testsuite.rig.ProcStats;
import dev.crossway.testsuite.rig.Procs;
import dev.crossway.testsuite.rig.StoppableClient;
import dev.crossway.testsuite.rig.Sway;
import dev.crossway.testsuite.rig.Weston;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * shm clients through Crossway onto a real weston headless (pixman), checked in weston's screenshots: a
 * known picture in every buffer pattern, pixel for pixel. Where client memory is separate from the
 * compositor's, Crossway shows each surface through host buffers of its own, copying damage only; the
 * tests then also check its copies, its host buffers and a client that shrinks its pool. Written once;
 * every transport runs it.
 */
public abstract class ShmSuite extends AbstractSuite {
    /** weston-simple-shm draws a 250x250 window. */
    private static final int SIMPLE_SHM_SIZE = 250;
    /** weston's desktop-shell panel (with a clock that may tick between screenshots); windows go below it. */
    private static final int PANEL_HEIGHT = 32;
    static final java.util.regex.Pattern SHM_SUMMARY = java.util.regex.Pattern.compile(
            "shm (\\d+) commits, (\\d+) B copied of (\\d+) B damaged, (\\d+) host buffers \\((\\d+) B\\), (\\d+) early releases");
    private static final String SHARED = "shared memory: the compositor reads the client's pool itself, so Crossway copies nothing";

    /** Crossway on the rig's transport. (Its {@code -v} would log each commit's copy, at a cost a VM feels.) */
    private Daemon crossway(Weston w) {
        return crossway(w.socketPath());
    }

    /** The shm counters of a client's close line (separate memory only). */
    private static Matcher shmCounters(String closed) {
        Matcher m = SHM_SUMMARY.matcher(closed);
        assertThat(m.find()).as("shm counters in: " + closed).isTrue();
        return m;
    }

    /**
     * weston's desktop once its shell has drawn the background and the panel: on a loaded machine two
     * identical screenshots in a row can still show the blank output from before.
     */
    private static Png desktop(Weston w, Path out) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        Png png = w.settledScreenshot(out, Duration.ofSeconds(20));
        while (png.distinctColours() < 3 && System.nanoTime() < deadline) {
            Procs.sleep(Duration.ofMillis(500));
            png = w.settledScreenshot(out, Duration.ofSeconds(20));
        }
        assertThat(png.distinctColours()).as("colours on weston's desktop (background and panel drawn)").isGreaterThanOrEqualTo(3);
        return png;
    }

    /**
     * Runs weston-simple-shm on {@code d} until weston shows its 250x250 window, and returns that screenshot.
     * weston-simple-shm animates, so two runs never show the same frame, and weston places windows at random.
     */
    private Png simpleShm(Weston w, Display d, Png empty, Path shot) {
        StoppableClient shm = stoppable(d, rig().clientTimeout(), "weston-simple-shm");
        Png[] last = {null};
        shm.await("weston-simple-shm's window on weston", rig().clientStart().plusSeconds(30), () -> {
            last[0] = Png.read(w.screenshot(shot));
            int[] box = empty.changedBox(last[0], PANEL_HEIGHT);
            return box[2] == SIMPLE_SHM_SIZE && box[3] == SIMPLE_SHM_SIZE;
        });
        Procs.sleep(Duration.ofSeconds(2)); // a few more frames, for the counters
        Clients.Result r = shm.stopAndAwait();
        assertThat(r.stdout()).as("still running when stopped: " + r.describe()).contains("interrupted");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return last[0];
    }

    /**
     * In both runs, direct and through Crossway, a 250x250 region differs from the empty desktop, with a
     * similar number of changed pixels. Where memory is separate, Crossway copied about what was damaged
     * (weston-simple-shm damages its whole window each frame), released every buffer early and left no host
     * buffer behind.
     */
    @Test
    public void simpleShmThroughCrosswayLooksLikeTheDirectRun(@TempDir Path tmp) {
        Weston w = weston("shm-simple-host");
        Daemon cw = crossway(w);
        Png empty = desktop(w, tmp.resolve("empty.png"));

        Png direct = simpleShm(w, w.display(), empty, tmp.resolve("direct.png"));
        Procs.sleep(Duration.ofMillis(500)); // the window unmaps
        int before = cw.closedClients().size();
        Png relayed = simpleShm(w, cw.clients(), empty, tmp.resolve("relayed.png"));

        int[] d = empty.changedBox(direct, PANEL_HEIGHT);
        int[] r = empty.changedBox(relayed, PANEL_HEIGHT);
        String closed = closedAfter(cw, before, 1, rig().clientTimeout()).get(0);
        System.out.println("weston-simple-shm direct: changed region " + d[2] + "x" + d[3] + " at " + d[0] + "," + d[1] + " ("
                + d[4] + " px); through Crossway: " + r[2] + "x" + r[3] + " at " + r[0] + "," + r[1] + " (" + r[4] + " px)\n  " + closed);
        assertThat(r[4]).as("changed pixels, relayed vs direct (" + d[4] + ")").isBetween(d[4] * 8 / 10, Math.min(d[4] * 12 / 10,
                SIMPLE_SHM_SIZE * SIMPLE_SHM_SIZE));
        if (!rig().separateMemory()) {
            System.out.println("no copy counters to check: " + SHARED);
            return;
        }
        Matcher m = shmCounters(closed);
        long commits = Long.parseLong(m.group(1));
        long copied = Long.parseLong(m.group(2));
        long damaged = Long.parseLong(m.group(3));
        assertThat(commits).as("commits while the window was on screen and 2 s more").isGreaterThanOrEqualTo(10);
        assertThat(m.group(4)).as("host buffers left").isEqualTo("0");
        assertThat(m.group(5)).as("host bytes left").isEqualTo("0");
        assertThat(Long.parseLong(m.group(6))).as("early releases").isGreaterThanOrEqualTo(commits - 2);
        // weston-simple-shm damages its whole window every frame: each frame is copied once.
        assertThat(copied).as("bytes copied vs bytes damaged (" + damaged + ")").isLessThanOrEqualTo(damaged * 11 / 10);
    }

    /**
     * The test client draws {@link Scene} with partial damage (surface and buffer damage), in each buffer
     * pattern, through two resizes when {@code resize}, from pools sealed against shrinking or not: the
     * screenshot matches the picture exactly. Where memory is separate, the bytes copied also stay within what
     * weston's holding of one buffer forces: each commit fills the other host buffer with the last two frames'
     * damage, plus one full fill per host buffer and size.
     */
    @ParameterizedTest(name = "{0}, resizing: {1}, sealed pools: {2}")
    @CsvSource({"TWO_ROTATING, false, false", "THREE_ROTATING, false, false", "NEW_BUFFER_EVERY_FRAME, false, false",
            "NEW_POOL_EVERY_FRAME, false, false", "TWO_ROTATING, true, false", "NEW_POOL_EVERY_FRAME, true, false",
            "TWO_ROTATING, false, true", "NEW_POOL_EVERY_FRAME, true, true"})
    public void everyBufferPatternIsPixelExactOnScreen(Pattern pattern, boolean resize, boolean sealed, @TempDir Path tmp)
            throws Exception {
        Weston w = weston("shm-exact-host");
        Daemon cw = crossway(w);
        Png empty = desktop(w, tmp.resolve("empty.png"));
        int before = cw.closedClients().size();
        Path stop = cw.clients().exchange().resolve("stop-scene-" + pattern + "-" + resize + "-" + sealed);
        List<String> args = new ArrayList<>(List.of("scene", pattern.name()));
        if (resize) {
            args.add("--resize");
        }
        if (!sealed) {
            args.add("--unsealed");
        }
        args.addAll(List.of("--stop", cw.clients().pathOf(stop)));
        ClientRun scene = cw.clients().startTestClient(rig().clientTimeout().multipliedBy(3), args.toArray(String[]::new));
        Png shot;
        try {
            scene.awaitStdout("'drawn'", out -> out.contains("drawn"), rig().clientTimeout().multipliedBy(2));
            shot = w.settledScreenshot(tmp.resolve("scene.png"), Duration.ofSeconds(20));
        } finally {
            Files.write(stop, new byte[0]);
        }
        Clients.Result r = scene.await();
        assertThat(r.exitCode()).as(r.describe()).isZero();

        Scene expected = Scene.replayed(TestClient.seed(pattern, resize), resize);
        int width = expected.width();
        int height = expected.height();
        int[] box = empty.changedBox(shot, PANEL_HEIGHT);
        int bad = 0;
        String firstBad = "";
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int sx = box[0] + x;
                int sy = box[1] + y;
                int got = sx < shot.width() && sy < shot.height() ? shot.rgb(sx, sy) : -1;
                if (got != expected.rgb(x, y) && bad++ == 0) {
                    firstBad = " (first at " + x + "," + y + ": expected " + Integer.toHexString(expected.rgb(x, y)) + ", got "
                            + Integer.toHexString(got) + ")";
                }
            }
        }
        String closed = closedAfter(cw, before, 1, rig().clientTimeout()).get(0);
        System.out.println(pattern + (resize ? " resizing" : "") + (sealed ? " sealed" : " unsealed") + ", " + Scene.FRAMES
                + " frames: window at " + box[0] + "," + box[1] + " (" + box[2] + "x" + box[3] + " changed); " + bad
                + " pixels differ from the client's picture" + firstBad + "\n  " + closed);
        assertThat(box[2]).as("changed width").isEqualTo(width);
        assertThat(box[3]).as("changed height").isEqualTo(height);
        assertThat(bad).as("pixels on screen that differ from the client's picture; Crossway's log: " + cw.logFile()).isZero();
        if (!rig().separateMemory()) {
            System.out.println("  no copies to check: " + SHARED);
            return;
        }
        Matcher m = shmCounters(closed);
        long copied = Long.parseLong(m.group(2));
        long damaged = Long.parseLong(m.group(3));
        long fullFills = 0;
        Scene sizes = new Scene(TestClient.seed(pattern, resize), resize);
        for (int lastWidth = 0; sizes.hasNext(); ) {
            Scene.Frame f = sizes.next();
            if (f.width() != lastWidth) {
                lastWidth = f.width();
                fullFills += 2L * f.width() * f.height() * 4;
            }
        }
        assertThat(Long.parseLong(m.group(1))).as("commits").isEqualTo(Scene.FRAMES + 1); // + the first, without a buffer
        assertThat(m.group(4)).as("host buffers left").isEqualTo("0");
        assertThat(copied).as("copied vs 2 x damaged (" + damaged + ") + one full fill per host buffer and size")
                .isLessThanOrEqualTo(2 * damaged + fullFills);
    }

    /**
     * A client shrinks its pool's file to nothing after create_pool and commits: it gets a {@code wl_shm}
     * error ({@code invalid_fd}, code 2) and is disconnected (from Crossway where memory is separate, else from
     * the compositor); the daemon lives on, another client draws on undisturbed, and once both are gone the
     * daemon holds no more fds than before them.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TWO_ROTATING", "NEW_POOL_EVERY_FRAME"})
    public void aClientThatShrinksItsPoolGetsAWlShmErrorAndNothingLeaks(Pattern pattern) {
        Weston w = weston("shm-shrink-host");
        // -v: the daemon logs the close line of a client it disconnected for an error (host buffers left) at debug level.
        Daemon cw = crossway(w.socketPath(), "-v");
        int logStart = cw.log().length();
        Display guest = cw.clients();
        // A first client starts what the daemon starts once (a transport's worker threads), so the baseline is fair.
        int before = cw.closedClients().size();
        Clients.Result warm = guest.runTestClient(rig().clientTimeout(), "scene", "TWO_ROTATING");
        assertThat(warm.exitCode()).as(warm.describe()).isZero();
        closedAfter(cw, before, 1, rig().clientTimeout());
        ProcStats baseline = RelaySuite.awaitNoSessions(cw);

        Clients.Result r = guest.runTestClient(rig().clientTimeout(), "shrink-pool", pattern.name());
        System.out.println("shrink-pool " + pattern + ": " + r.describe());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("innocent=drew 11 frames");
        String error = r.stdout().lines().filter(l -> l.startsWith("error=")).findFirst().orElse("");
        assertThat(error).as("the hostile client's protocol error").startsWith("error=error on object ")
                .contains(", code 2: error accessing SHM buffer");
        if (rig().separateMemory()) {
            assertThat(error).as("Crossway's own error names the pool and why").contains(": the file behind wl_shm_pool@")
                    .contains("(the client shrank it)");
        }
        assertThat(cw.isAlive()).isTrue();
        List<String> closed = closedAfter(cw, before + 1, 2, rig().clientTimeout());
        if (rig().separateMemory()) {
            for (String line : closed) {
                Matcher m = shmCounters(line);
                assertThat(m.group(4) + " " + m.group(5)).as("host buffers left: " + line).isEqualTo("0 0");
            }
        }
        ProcStats after = RelaySuite.awaitBaseline(cw, baseline, Duration.ofMillis(100));
        System.out.println("daemon before the clients: " + baseline + "; after: " + after);
        assertThat(after.openFds()).as("daemon fds").isEqualTo(baseline.openFds());
        assertThat(after.threads()).as("daemon threads; new ones: " + RelaySuite.newThreads(baseline, after))
                .isLessThanOrEqualTo(baseline.threads());
        assertThat(cw.log().substring(logStart)).doesNotContain("InternalError").doesNotContain("internal error");
    }

    /** A 512 MiB pool where host buffers come from a smaller window: only what surfaces show takes host memory. */
    @Test
    public void aPoolLargerThanTheHostVisibleWindowWorks() {
        long window = rig().hostVisibleWindow();
        assumeTrue(window > 0, () -> rig().name() + " has no host-visible window: host buffers are memory of their own");
        long pool = 2 * window;
        Weston w = weston("shm-big-host");
        Daemon cw = crossway(w);
        int before = cw.closedClients().size();
        int logStart = cw.log().length();
        Clients.Result r = cw.clients().runTestClient(rig().clientTimeout(), "scene", "TWO_ROTATING", "--pool-size", Long.toString(pool));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        String closed = closedAfter(cw, before, 1, rig().clientTimeout()).get(0);
        System.out.println((pool >> 20) + " MiB pool through a " + (window >> 20) + " MiB window: " + closed);
        assertThat(Long.parseLong(shmCounters(closed).group(1))).isEqualTo(Scene.FRAMES + 1);
        assertThat(cw.log().substring(logStart)).doesNotContain("could not allocate");
    }

    /**
     * foot asks for a 512 MiB pool; where host buffers come from a 256 MiB window it used to be dropped at
     * start. On headless sway (foot needs a seat) it runs until stopped, its frames copied to sway's output.
     */
    @Test
    public void footRunsInTheHostVisibleWindow(@TempDir Path tmp) {
        assumeTrue(rig().hostVisibleWindow() > 0, () -> rig().name() + " has no host-visible window: host buffers are memory of"
                + " their own");
        Sway sway = sway();
        Daemon cw = crossway(sway.socketPath());
        int before = cw.closedClients().size();
        int logStart = cw.log().length(); // a daemon may serve several tests: only this one's lines count
        Png empty = sway.settledScreenshot(tmp.resolve("empty.png"), Duration.ofSeconds(20));
        StoppableClient foot = stoppable(cw.clients(), rig().clientTimeout().multipliedBy(2), "foot", "sh", "-c",
                "echo crossway; sleep 600");
        foot.await("foot's window in sway's tree", rig().clientStart().plusSeconds(30), () -> sway.tree().contains("\"foot\""));
        Procs.sleep(Duration.ofSeconds(2));
        int drawn = Png.read(sway.screenshot(tmp.resolve("foot.png"))).countDifferent(empty);
        Clients.Result r = foot.stopAndAwait();
        String closed = closedAfter(cw, before, 1, rig().clientTimeout()).get(0);
        System.out.println("foot through " + rig().name() + ", " + (rig().hostVisibleWindow() >> 20) + " MiB window: " + drawn
                + " of sway's pixels changed by its window; " + r.describe() + "\n  " + closed);
        assertThat(r.stdout()).as("foot still running when stopped: " + r.describe()).contains("interrupted");
        Matcher m = shmCounters(closed);
        assertThat(Long.parseLong(m.group(1))).as("foot committed frames").isPositive();
        assertThat(Long.parseLong(m.group(2))).as("bytes copied").isPositive();
        assertThat(drawn).as("pixels of sway's output foot's window changed").isPositive();
        assertThat(cw.log().substring(logStart)).doesNotContain("could not allocate").doesNotContain("protocol error");
    }
}
