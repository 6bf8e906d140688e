package dev.crossway.it;

import dev.crossway.it.rig.Weston;
import java.util.List;
import java.util.Set;

/** The relay suite on the loopback transport (shared memory: fds pass as-is). */
class LoopbackRelayIT extends RelaySuite {
    @Override
    List<String> transportArgs(Weston w) {
        return List.of("--transport", "loopback", "--host-display", w.socketName());
    }

    @Override
    Set<String> expectedHidden() {
        return POLICY_HIDDEN;
    }
}
