package dev.crossway.it;

import dev.crossway.testsuite.KeymapSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The keymap suite on loopback with shared memory: fds and pools pass as-is. */
class LoopbackKeymapIT extends KeymapSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SHARED;
    }
}
