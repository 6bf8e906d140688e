package dev.crossway.it;

import dev.crossway.testsuite.ClipboardSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The clipboard suite on loopback with separate memory: the VM transports' copy path, on this machine. */
class LoopbackSeparateClipboardIT extends ClipboardSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SEPARATE;
    }
}
