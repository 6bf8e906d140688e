package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Png;
import dev.crossway.testsuite.rig.Weston;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rig itself, without Crossway: headless weston, wayland-info straight to it, a screenshot. */
class WestonRigIT {
    private static Weston weston;

    @BeforeAll
    static void startWeston() {
        List<String> missing = Weston.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        weston = Weston.start("it-rig");
    }

    @AfterAll
    static void stopWeston() {
        if (weston != null) {
            weston.close();
        }
    }

    @Test
    void waylandInfoListsTheCoreGlobals() {
        Clients.Result r = Clients.run(weston.runtimeDir(), weston.socketName(), Duration.ofSeconds(20), "wayland-info");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<Clients.Global> globals = Clients.parseGlobals(r.stdout());
        System.out.println("weston offers " + globals.size() + " globals: " + globals);
        assertThat(globals).extracting(Clients.Global::name).contains("wl_compositor", "wl_shm", "xdg_wm_base");
    }

    @Test
    void screenshotDecodes(@TempDir Path tmp) {
        Path file = weston.screenshot(tmp.resolve("desktop.png"));
        assertThat(file).exists();
        Png png = Png.read(file);
        System.out.println("screenshot " + file + ": " + png + ", " + png.distinctColours() + " colours");
        assertThat(png.width()).isEqualTo(Weston.WIDTH);
        assertThat(png.height()).isEqualTo(Weston.HEIGHT);
        assertThat(Files.exists(weston.runtimeDir())).isTrue();
    }
}
