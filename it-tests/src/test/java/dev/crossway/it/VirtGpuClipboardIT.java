package dev.crossway.it;

import dev.crossway.it.rig.Crossway;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The clipboard tests on the virtgpu transport over the emulated device: here the pipes do not pass
 * as-is. A guest app's write end (wl_data_offer.receive) becomes a READ_PIPE whose data comes back
 * through POLL as READ messages; a compositor's write end (wl_data_source.send) arrives as a write pipe
 * that the transport feeds with WRITE commands.
 */
class VirtGpuClipboardIT extends ClipboardIT {
    @Override
    List<String> transportArgs() {
        return List.of("--transport", "virtgpu");
    }

    @Override
    Map<String, String> transportEnv() {
        return Map.of("CROSSWAY_TRANSPORTS__VIRTGPU__DEVICE_PROVIDER", "emulator");
    }

    @Override
    Path home() {
        return Crossway.emulatedDistribution();
    }
}
