package dev.crossway.it;

import dev.crossway.testsuite.ShmSuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The shm suite on loopback with separate memory: the VM transports' copy path, on this machine. */
class LoopbackSeparateShmIT extends ShmSuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SEPARATE;
    }
}
