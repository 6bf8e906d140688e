package dev.crossway.transport.virtgpu.emulator;

import dev.crossway.spi.TransportOptions;
import dev.crossway.linux.WaylandDisplay;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.DeviceProvider;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Puts the emulator behind the virtgpu transport when this test-jar is on the module path (it-tests) and
 * the transport's {@code device-provider} option is {@code emulator}.
 * Its cross-domain host connects to the compositor at {@code host-display} (an absolute path, or a
 * name under {@code $XDG_RUNTIME_DIR}; default {@code $WAYLAND_DISPLAY}, then {@code wayland-0}), the
 * way crosvm's {@code --wayland-sock} does. Option {@code emulator-identifiers} (28 or 4) sets the
 * host's identifier count; {@code emulator-hostmem} (bytes, or with K, M or G) the host-visible window.
 */
public final class VirtGpuEmulatorProvider implements DeviceProvider {
    @Override
    public String transport() {
        return "virtgpu";
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
        VirtGpuEmulatorConfig config = VirtGpuEmulatorConfig.of(socket);
        config.maxIdentifiers(Integer.parseInt(options.get("emulator-identifiers", options.get("identifiers", "28"))));
        config.hostVisibleBytes(bytes(options.get("emulator-hostmem", "0")));
        return new VirtGpuEmulator(config);
    }

    private static long bytes(String v) {
        String s = v.trim().toUpperCase(java.util.Locale.ROOT);
        int shift = s.endsWith("K") ? 10 : s.endsWith("M") ? 20 : s.endsWith("G") ? 30 : 0;
        return Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1).trim()) << shift;
    }
}
