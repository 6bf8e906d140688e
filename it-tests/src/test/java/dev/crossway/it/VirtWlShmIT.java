package dev.crossway.it;

import dev.crossway.testsuite.ShmSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The shm suite on virtwl over its emulated /dev/wl0. */
class VirtWlShmIT extends ShmSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.VIRTWL_EMULATED;
    }
}
