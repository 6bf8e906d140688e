package dev.crossway.vm;

import dev.crossway.testsuite.ShmSuite;
import dev.crossway.testsuite.rig.TransportRig;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shm suite on virtgpu in the VM tier's QEMU guest. */
@ExtendWith(VmTier.class)
class VmShmIT extends ShmSuite {
    @Override
    protected TransportRig rig() {
        return VmRig.VIRTGPU;
    }
}
