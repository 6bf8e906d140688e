package dev.crossway.it;

import dev.crossway.it.rig.Weston;
import java.util.List;

/** The shm mirror suite on loopback with separate memory: the copy path the VM transports take, on this machine. */
class LoopbackShmMirrorIT extends ShmMirrorSuite {
    @Override
    List<String> transportArgs(Weston w) {
        return List.of("--transport", "loopback", "--host-display", w.socketName(), "--memory", "separate");
    }
}
