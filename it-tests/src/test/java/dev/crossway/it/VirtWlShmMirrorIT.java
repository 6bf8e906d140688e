package dev.crossway.it;

import dev.crossway.it.rig.Crossway;
import dev.crossway.it.rig.Weston;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The shm mirror's pixels on the virtwl transport over its emulated device, into the host memory it makes. */
class VirtWlShmMirrorIT extends ShmMirrorSuite {
    @Override
    List<String> transportArgs(Weston w) {
        return List.of("--transport", "virtwl", "--host-display", w.socketPath().toString());
    }

    @Override
    Map<String, String> transportEnv() {
        return Map.of("CROSSWAY_TRANSPORTS__VIRTWL__DEVICE_PROVIDER", "emulator");
    }

    @Override
    Path home() {
        return Crossway.emulatedDistribution();
    }
}
