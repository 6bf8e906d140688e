package dev.crossway.transport.virtwl;

import dev.crossway.linux.device.Devices;
import dev.crossway.linux.pipe.PipeOptions;
import dev.crossway.spi.TransportOptions;
import dev.crossway.transport.virtwl.sys.VirtWlUapi;
import java.nio.charset.StandardCharsets;

/**
 * The virtwl options, read once from {@link TransportOptions} (config {@code crossway.transports.virtwl}).
 *
 * @param device         {@code device}: the virtwl node; null means the device's own ({@code /dev/wl0})
 * @param contextName    {@code context-name}: the host socket crosvm names with
 *                       {@code --wayland-sock PATH,name=NAME}; null means its default socket
 * @param deviceProvider {@code device-provider}: {@code kernel} (also when null), or the name of a provider
 *                       found on the module path (the tests' {@code emulator})
 * @param pipeIdleTimeoutMillis {@code pipe-idle-timeout}: milliseconds after which a bridged pipe (either
 *                       direction) that moved no data is ended; 0 (the default) means never
 */
record VirtWlSettings(String device, String contextName, String deviceProvider, long pipeIdleTimeoutMillis) {
    static final String DEVICE = "device";
    static final String CONTEXT_NAME = "context-name";

    /** @throws IllegalArgumentException naming the option, the bad value and the allowed ones */
    static VirtWlSettings resolve(TransportOptions options) {
        String name = nonEmpty(options.get(CONTEXT_NAME));
        if (name != null && name.getBytes(StandardCharsets.UTF_8).length >= VirtWlUapi.VIRTWL_NAME_LENGTH) {
            throw new IllegalArgumentException("virtwl option " + CONTEXT_NAME + " '" + name + "' is too long: at most "
                    + (VirtWlUapi.VIRTWL_NAME_LENGTH - 1) + " bytes, as crosvm's --wayland-sock PATH,name=NAME takes");
        }
        return new VirtWlSettings(nonEmpty(options.get(DEVICE)), name, nonEmpty(options.get(Devices.DEVICE_PROVIDER)),
                PipeOptions.idleTimeoutMillis(options, VirtWlTransportProvider.NAME));
    }

    private static String nonEmpty(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
