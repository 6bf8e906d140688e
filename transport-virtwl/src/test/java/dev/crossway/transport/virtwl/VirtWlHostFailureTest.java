package dev.crossway.transport.virtwl;

import dev.crossway.linux.testing.HostFailureSuite;
import dev.crossway.spi.Transport;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulator;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulatorConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/**
 * The host-failure suite on virtwl over the emulated device: crosvm's wl device connects at NEW_CTX (so a
 * compositor that is down fails the connection at once), signals the compositor's hang-up, and its SEND
 * waits for the host's blocking send.
 */
class VirtWlHostFailureTest extends HostFailureSuite {
    private VirtWlEmulator emulator;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Override
    protected Transport open(Path compositor) throws IOException {
        emulator = new VirtWlEmulator(VirtWlEmulatorConfig.of(compositor));
        return new VirtWlTransportProvider(emulator).open(key -> null);
    }

    @Override
    protected boolean connectFailsWhileTheCompositorIsDown() {
        return true;
    }

    @Override
    protected String connectFailureNames(Path compositor) {
        return "VIRTWL_IOCTL_NEW(NEW_CTX) on /dev/wl0 failed: ENODEV (19)";
    }

    @Override
    protected boolean openProbesTheCompositor() {
        return true;
    }
}
