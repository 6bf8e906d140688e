package dev.crossway.it;

import dev.crossway.it.rig.Crossway;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The clipboard tests on the virtwl transport over the emulated device: a guest app's write end
 * (wl_data_offer.receive) is bridged from a NEW_PIPE_READ VFD, and the compositor's write end
 * (wl_data_source.send) arrives as a pipe VFD the app reaches through a local pipe.
 */
class VirtWlClipboardIT extends ClipboardIT {
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
