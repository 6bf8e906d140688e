package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Png;
import dev.crossway.it.rig.Weston;
import dev.crossway.vm.guest.DamageScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * shm through the real stack: guest memory the host cannot see, mirrored by Crossway into host blobs
 * that rutabaga maps for weston. A guest client draws a known picture with partial damage; weston's
 * screenshot must match it pixel for pixel.
 */
@ExtendWith(VmTier.class)
class VmShmIT {
    /** weston's desktop-shell panel (its clock may tick between screenshots); windows go below it. */
    private static final int PANEL_HEIGHT = 32;
    private static final Pattern SHM_SUMMARY = Pattern.compile("shm (\\d+) commits, (\\d+) B copied of (\\d+) B damaged, (\\d+) host buffers");

    /**
     * weston's desktop once its shell has drawn the background and the panel: on a loaded machine two
     * identical screenshots in a row can still show the blank output from before.
     */
    private static Png desktop(Weston w, Path out) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        Png png = w.settledScreenshot(out, Duration.ofSeconds(20));
        while (png.distinctColours() < 3 && System.nanoTime() < deadline) {
            Vm.sleep(Duration.ofMillis(500));
            png = w.settledScreenshot(out, Duration.ofSeconds(20));
        }
        assertThat(png.distinctColours()).as("colours on weston's desktop (background and panel drawn)").isGreaterThanOrEqualTo(3);
        return png;
    }

    @ParameterizedTest(name = "{0} buffers")
    @ValueSource(ints = {2, 3})
    void rotatingBuffersWithPartialDamageArePixelExactOnTheHost(int buffers, VmSession session, @TempDir Path tmp) throws Exception {
        try (Weston w = Weston.start("vm-shm-" + buffers)) {
            session.attach(w.socketPath());
            Png empty = desktop(w, tmp.resolve("empty.png"));
            int closedBefore = session.crossway().closedClients().size();
            String stop = "stop-damage-scene-" + buffers;
            GuestShell.Running scene = session.startClient(Duration.ofMinutes(3), VmSession.java(DamageScene.class.getName(),
                    session.crossway().socketPath(), Integer.toString(buffers), "/vm/share/" + stop));
            scene.awaitStdout("'drawn'", out -> out.contains("drawn"), Duration.ofMinutes(2));
            Png shot = w.settledScreenshot(tmp.resolve("scene.png"), Duration.ofSeconds(20));
            Files.createFile(session.vm().share().resolve(stop));
            Clients.Result r = scene.await();
            assertThat(r.exitCode()).as(r.describe()).isZero();

            int[] box = empty.changedBox(shot, PANEL_HEIGHT);
            int[] expected = DamageScene.expected(buffers);
            int w0 = DamageScene.WIDTH;
            int bad = 0;
            String firstBad = "";
            for (int y = 0; y < DamageScene.HEIGHT; y++) {
                for (int x = 0; x < w0; x++) {
                    int sx = box[0] + x;
                    int sy = box[1] + y;
                    int got = sx < shot.width() && sy < shot.height() ? shot.rgb(sx, sy) : -1;
                    if (got != expected[y * w0 + x] && bad++ == 0) {
                        firstBad = " (first at " + x + "," + y + ": expected " + Integer.toHexString(expected[y * w0 + x])
                                + ", got " + Integer.toHexString(got) + ")";
                    }
                }
            }
            String closed = session.crossway().awaitClosedClients(closedBefore + 1, Duration.ofMinutes(1)).get(closedBefore);
            System.out.println(buffers + " buffers, " + DamageScene.FRAMES + " frames: window at " + box[0] + "," + box[1] + " ("
                    + box[2] + "x" + box[3] + " changed); " + bad + " pixels differ from the client's picture" + firstBad
                    + "\n  " + closed);
            assertThat(box[2]).as("changed width").isEqualTo(DamageScene.WIDTH);
            assertThat(box[3]).as("changed height").isEqualTo(DamageScene.HEIGHT);
            assertThat(bad).as("pixels on the host's screen that differ from the guest client's picture").isZero();
            Matcher m = SHM_SUMMARY.matcher(closed);
            assertThat(m.find()).as("shm counters in: " + closed).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("commits").isEqualTo(DamageScene.FRAMES + 1); // + the first, without a buffer
            assertThat(m.group(4)).as("host buffers left").isEqualTo("0");
        }
    }
}
