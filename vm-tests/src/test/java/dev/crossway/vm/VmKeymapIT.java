package dev.crossway.vm;

import dev.crossway.testsuite.KeymapSuite;
import dev.crossway.testsuite.rig.TransportRig;
import org.junit.jupiter.api.extension.ExtendWith;

/** The keymap suite on virtgpu in the VM tier's QEMU guest. */
@ExtendWith(VmTier.class)
class VmKeymapIT extends KeymapSuite {
    @Override
    protected TransportRig rig() {
        return VmRig.VIRTGPU;
    }
}
