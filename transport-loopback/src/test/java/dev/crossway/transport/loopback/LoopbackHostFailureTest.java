package dev.crossway.transport.loopback;

import dev.crossway.linux.testing.HostFailureSuite;
import dev.crossway.spi.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The host-failure suite on loopback with separate memory: Crossway translates ids there, so the host check runs too. */
class LoopbackHostFailureTest extends HostFailureSuite {
    @Override
    protected Transport open(Path compositor) throws IOException {
        Map<String, String> options = Map.of("host-display", compositor.toString(), "memory", "separate");
        return new LoopbackTransportProvider(k -> null).open(options::get);
    }

    @Override
    protected boolean connectFailsWhileTheCompositorIsDown() {
        return true;
    }

    @Override
    protected boolean openProbesTheCompositor() {
        return true;
    }
}
