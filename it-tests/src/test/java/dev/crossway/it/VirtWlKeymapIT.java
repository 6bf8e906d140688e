package dev.crossway.it;

import dev.crossway.it.rig.Crossway;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The keymap through the virtwl transport over its emulated device: host memory in, a sealed guest memfd out. */
class VirtWlKeymapIT extends KeymapIT {
    @Override
    List<String> transportArgs() {
        return List.of("--transport", "virtwl");
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
