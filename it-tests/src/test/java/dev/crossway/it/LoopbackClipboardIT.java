package dev.crossway.it;

import dev.crossway.testsuite.ClipboardSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The clipboard suite on loopback with shared memory: fds and pools pass as-is. */
class LoopbackClipboardIT extends ClipboardSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SHARED;
    }
}
