package dev.crossway.it;

import dev.crossway.testsuite.ShmSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The shm suite on loopback with shared memory: fds and pools pass as-is. */
class LoopbackShmIT extends ShmSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SHARED;
    }
}
