package dev.crossway.it;

import dev.crossway.testsuite.ClipboardSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The clipboard suite on virtgpu over its emulated device (256 MiB host-visible window). */
class VirtGpuClipboardIT extends ClipboardSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTGPU_EMULATED;
    }
}
