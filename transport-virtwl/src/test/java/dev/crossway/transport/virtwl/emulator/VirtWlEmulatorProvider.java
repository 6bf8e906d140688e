package dev.crossway.transport.virtwl.emulator;

import dev.crossway.linux.WaylandDisplay;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.DeviceProvider;
import dev.crossway.spi.TransportOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Puts the emulator behind the virtwl transport when this test-jar is on the module path (it-tests) and the
 * transport's {@code device-provider} option is {@code emulator}. Its crosvm side connects to the compositor
 * at {@code host-display} (an absolute path, or a name under {@code $XDG_RUNTIME_DIR}; default
 * {@code $WAYLAND_DISPLAY}, then {@code wayland-0}), as {@code --wayland-sock} does.
 */
public final class VirtWlEmulatorProvider implements DeviceProvider {
    @Override
    public String transport() {
        return "virtwl";
    }

    @Override
    public String name() {
        return "emulator";
    }

    @Override
    public Device newDevice(TransportOptions options) throws IOException {
        Path socket;
        try {
            socket = WaylandDisplay.socket(options.get("host-display"), System::getenv);
        } catch (IllegalArgumentException e) {
            throw new IOException("the emulator cannot find the compositor: " + e.getMessage(), e);
        }
        return new VirtWlEmulator(VirtWlEmulatorConfig.of(socket));
    }
}
