package dev.crossway.it;

import dev.crossway.it.rig.Crossway;
import dev.crossway.it.rig.Weston;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The relay suite on the virtgpu transport over the emulated virtio-gpu device (the virtgpu module's
 * test-jar), whose emulated crosvm host connects to the same real weston. Guest memory is separate, so
 * shm is mirrored; fds that are neither shm, keymaps nor pipes cannot cross.
 */
class VirtGpuRelayIT extends RelaySuite {
    @Override
    List<String> transportArgs(Weston w) {
        return List.of("--transport", "virtgpu", "--host-display", w.socketPath().toString());
    }

    @Override
    Map<String, String> transportEnv() {
        return Map.of("CROSSWAY_TRANSPORTS__VIRTGPU__DEVICE_PROVIDER", "emulator");
    }

    @Override
    Path home() {
        return Crossway.emulatedDistribution();
    }

    @Override
    Set<String> expectedHidden() {
        Set<String> hidden = new TreeSet<>(POLICY_HIDDEN);
        // Its requests and events carry sync_file fences, which cross-domain cannot carry.
        hidden.add("zwp_linux_explicit_synchronization_v1");
        return hidden;
    }
}
