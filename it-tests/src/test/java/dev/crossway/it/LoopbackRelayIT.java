package dev.crossway.it;

import dev.crossway.testsuite.RelaySuite;
import dev.crossway.testsuite.rig.LocalRig;
import dev.crossway.testsuite.rig.TransportRig;

/** The relay suite on loopback with shared memory: fds and pools pass as-is. */
class LoopbackRelayIT extends RelaySuite {
    @Override
    protected TransportRig rig() {
        return LocalRig.LOOPBACK_SHARED;
    }
}
