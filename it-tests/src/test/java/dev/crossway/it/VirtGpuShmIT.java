package dev.crossway.it;

import dev.crossway.testsuite.ShmSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The shm suite on virtgpu over its emulated device (256 MiB host-visible window). */
class VirtGpuShmIT extends ShmSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTGPU_EMULATED;
    }
}
