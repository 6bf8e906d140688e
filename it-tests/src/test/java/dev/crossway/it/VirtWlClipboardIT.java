package dev.crossway.it;

import dev.crossway.testsuite.ClipboardSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The clipboard suite on virtwl over its emulated /dev/wl0. */
class VirtWlClipboardIT extends ClipboardSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTWL_EMULATED;
    }
}
