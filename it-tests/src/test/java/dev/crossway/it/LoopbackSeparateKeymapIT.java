package dev.crossway.it;

import dev.crossway.testsuite.KeymapSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The keymap suite on loopback with separate memory: the VM transports' copy path, on this machine. */
class LoopbackSeparateKeymapIT extends KeymapSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SEPARATE;
    }
}
