package dev.crossway.it;

import dev.crossway.testsuite.RelaySuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The relay suite on loopback with separate memory: the VM transports' copy path, on this machine. */
class LoopbackSeparateRelayIT extends RelaySuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SEPARATE;
    }
}
