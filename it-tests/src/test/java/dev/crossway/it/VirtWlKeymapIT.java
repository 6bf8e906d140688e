package dev.crossway.it;

import dev.crossway.testsuite.KeymapSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The keymap suite on virtwl over its emulated /dev/wl0. */
class VirtWlKeymapIT extends KeymapSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTWL_EMULATED;
    }
}
