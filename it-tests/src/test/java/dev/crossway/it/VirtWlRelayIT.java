package dev.crossway.it;

import dev.crossway.testsuite.RelaySuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The relay suite on virtwl over its emulated /dev/wl0. */
class VirtWlRelayIT extends RelaySuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTWL_EMULATED;
    }
}
