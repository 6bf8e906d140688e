package dev.crossway.it;

import dev.crossway.testsuite.KeymapSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The keymap suite on virtgpu over its emulated device (256 MiB host-visible window). */
class VirtGpuKeymapIT extends KeymapSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTGPU_EMULATED;
    }
}
