package dev.crossway.vm;

import dev.crossway.testsuite.ClipboardSuite;
import dev.crossway.testsuite.rig.TransportRig;
import org.junit.jupiter.api.extension.ExtendWith;

/** The clipboard suite on virtgpu in the VM tier's QEMU guest; its throughput goes to the tier's figures. */
@ExtendWith(VmTier.class)
class VmClipboardIT extends ClipboardSuite {
    @Override
    protected TransportRig rig() {
        return VmRig.VIRTGPU;
    }

    @Override
    protected void figure(String figure, String value, String method) {
        Figures.record(figure, value, method);
    }
}
