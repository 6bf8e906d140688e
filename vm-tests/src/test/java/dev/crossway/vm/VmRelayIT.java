package dev.crossway.vm;

import dev.crossway.testsuite.RelaySuite;
import dev.crossway.testsuite.rig.TransportRig;
import org.junit.jupiter.api.extension.ExtendWith;

/** The relay suite on virtgpu in the VM tier's QEMU guest. */
@ExtendWith(VmTier.class)
class VmRelayIT extends RelaySuite {
    @Override
    protected TransportRig rig() {
        return VmRig.VIRTGPU;
    }
}
