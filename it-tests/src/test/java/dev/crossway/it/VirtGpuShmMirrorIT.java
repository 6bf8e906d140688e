package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.it.ShmTestClient.Mode;
import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Crossway;
import dev.crossway.it.rig.Sway;
import dev.crossway.it.rig.Weston;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The shm mirror suite on the virtgpu transport over the emulated virtio-gpu device, whose host-visible
 * window is 256 MiB, as a small VM's: host memory must follow what surfaces show, not what clients pool.
 */
class VirtGpuShmMirrorIT extends ShmMirrorSuite {
    static final Map<String, String> EMULATOR = Map.of("CROSSWAY_TRANSPORTS__VIRTGPU__DEVICE_PROVIDER", "emulator",
            "CROSSWAY_TRANSPORTS__VIRTGPU__EMULATOR_HOSTMEM", "256M");

    @Override
    List<String> transportArgs(Weston w) {
        return List.of("--transport", "virtgpu", "--host-display", w.socketPath().toString());
    }

    @Override
    Map<String, String> transportEnv() {
        return EMULATOR;
    }

    @Override
    Path home() {
        return Crossway.emulatedDistribution();
    }

    /** A 512 MiB pool in a 256 MiB window: only the committed buffers take host memory. */
    @Test
    void aPoolLargerThanTheHostVisibleWindowWorks() throws Exception {
        Weston w = weston("it-shmbig-host");
        Crossway cw = crossway(w, "it-shmbig");
        int[] scene = new int[200 * 100];
        for (int i = 0; i < scene.length; i++) {
            scene[i] = i;
        }
        try (ShmTestClient client = new ShmTestClient(cw.socketPath(), Mode.TWO_ROTATING)) {
            client.poolsOfAtLeast(512 << 20);
            for (int f = 0; f < 5; f++) {
                client.frame(scene, 200, 100, new int[] {f, f, 10, 10}, false);
            }
            client.roundtrip();
        }
        String closed = cw.awaitClosedClients(1, Duration.ofSeconds(10)).get(0);
        System.out.println("512 MiB pool through a 256 MiB window: " + closed);
        Matcher m = SHM_SUMMARY.matcher(closed);
        assertThat(m.find()).as(closed).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(6);
        assertThat(cw.log()).doesNotContain("could not allocate");
    }

    /**
     * foot asks for a 512 MiB pool; on a VM with a 256 MiB host-visible window it used to be dropped at
     * start. On headless sway (foot needs a seat) through the emulated device, it runs until stopped.
     */
    @Test
    void footRunsInA256MiBHostVisibleWindow() throws Exception {
        assumeTrue(Sway.missingTools().isEmpty() && onPath("foot"), "needs sway and foot (scripts/test installs them)");
        assumeTrue("root".equals(System.getProperty("user.name")), "sway must be started as uid 65534, which needs root");
        Path dir = Files.createTempDirectory("crossway-it-foot-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Sway sway = Sway.start();
             Crossway cw = Crossway.start(home(), dir, List.of("--transport", "virtgpu", "--host-display",
                     sway.socketPath().toString(), "--socket", dir.resolve("foot").toString(), "-v"), EMULATOR)) {
            Clients.Result r = Clients.run(dir, cw.socketPath().toString(), Duration.ofSeconds(30), "timeout", "-s", "TERM", "5",
                    "foot", "sh", "-c", "echo crossway; sleep 30");
            String closed = cw.awaitClosedClients(1, Duration.ofSeconds(10)).get(0);
            System.out.println("foot through virtgpu, 256 MiB window: " + r.describe() + "\n  " + closed);
            assertThat(r.exitCode()).as("foot still running when stopped (timeout's 124): " + r.describe()).isEqualTo(124);
            Matcher m = SHM_SUMMARY.matcher(closed);
            assertThat(m.find()).as(closed).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("foot committed frames").isPositive();
            assertThat(Long.parseLong(m.group(2))).as("bytes copied").isPositive();
            assertThat(cw.log()).doesNotContain("could not allocate").doesNotContain("protocol error");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
