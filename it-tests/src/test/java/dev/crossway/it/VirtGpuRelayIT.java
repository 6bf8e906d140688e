package dev.crossway.it;

import dev.crossway.testsuite.RelaySuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The relay suite on virtgpu over its emulated device (256 MiB host-visible window). */
class VirtGpuRelayIT extends RelaySuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTGPU_EMULATED;
    }
}
