package dev.crossway.transport.virtwl;

import dev.crossway.linux.device.Devices;
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
    static final String PIPE_IDLE_TIMEOUT = "pipe-idle-timeout";

    /** @throws IllegalArgumentException naming the option, the bad value and the allowed ones */
    static VirtWlSettings resolve(TransportOptions options) {
        String name = nonEmpty(options.get(CONTEXT_NAME));
        if (name != null && name.getBytes(StandardCharsets.UTF_8).length >= VirtWlUapi.VIRTWL_NAME_LENGTH) {
            throw new IllegalArgumentException("virtwl option " + CONTEXT_NAME + " '" + name + "' is too long: at most "
                    + (VirtWlUapi.VIRTWL_NAME_LENGTH - 1) + " bytes, as crosvm's --wayland-sock PATH,name=NAME takes");
        }
        String idle = nonEmpty(options.get(PIPE_IDLE_TIMEOUT));
        long idleMillis = 0;
        if (idle != null) {
            try {
                idleMillis = Long.parseLong(idle);
            } catch (NumberFormatException e) {
                idleMillis = -1;
            }
            if (idleMillis < 0) {
                throw new IllegalArgumentException("unknown value '" + idle + "' for virtwl option " + PIPE_IDLE_TIMEOUT
                        + ": milliseconds, 0 or more (0 = no timeout)");
            }
        }
        return new VirtWlSettings(nonEmpty(options.get(DEVICE)), name, nonEmpty(options.get(Devices.DEVICE_PROVIDER)), idleMillis);
    }

    private static String nonEmpty(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
