package dev.crossway.app.config;

import dev.crossway.proxy.HostCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Crossway's settings, read once from the layered configuration (see {@code reference.conf}); no other
 * code sees the configuration library.
 *
 * @param transport        provider name, or {@code auto} for the best available
 * @param socket           guest-facing socket: a name under $XDG_RUNTIME_DIR, an absolute path, or
 *                         {@code auto} (wayland-0, else the first free wayland-N)
 * @param hostDisplay      host compositor socket for transports that use one; empty means $WAYLAND_DISPLAY
 * @param grant            privileged global classes and interfaces shown to guest apps all the same
 * @param transportOptions every transport's own options, by provider name
 * @param sources          for some keys, what the user typed to set them ({@code --socket},
 *                         {@code CROSSWAY_SOCKET}, {@code crossway.socket (file:line)}), for messages
 * @param limits           what clients may make the daemon hold ({@code crossway.limits})
 * @param hostCheck        how a host that never signals its hang-up is found out ({@code crossway.host-check})
 */
public record Settings(String transport, String socket, String hostDisplay, String memory, String tag, String appIdTag,
                       Trace trace, List<Path> protocolDirs, Set<String> grant, Set<String> allow, Set<String> deny,
                       Map<String, Integer> maxVersions, String logLevel, Map<String, Map<String, String>> transportOptions,
                       Map<String, String> sources, Limits limits, HostCheck hostCheck) {

    /** What the user typed to set {@code key}, for messages; {@code crossway.KEY} when not recorded. */
    public String source(String key) {
        return sources.getOrDefault(key, "crossway." + key);
    }

    /**
     * @param hostMemoryPerClient bytes of host memory one client's shm copies may take ({@code limits.host-memory-per-client})
     * @param hostMemory          bytes of host memory all clients together may take ({@code limits.host-memory})
     * @param poolsPerClient      wl_shm_pools one client may hold open ({@code limits.pools-per-client})
     * @param fdsPerClient        fds one client may make the daemon hold ({@code limits.fds-per-client})
     * @param objectsPerClient    Wayland objects one client may hold ({@code limits.objects-per-client})
     */
    public record Limits(long hostMemoryPerClient, long hostMemory, int poolsPerClient, int fdsPerClient, int objectsPerClient) {
    }

    /** Which relayed messages to log. */
    public enum Trace {
        NONE, CLIENT, HOST, ALL;

        public boolean requests() {
            return this == CLIENT || this == ALL;
        }

        public boolean events() {
            return this == HOST || this == ALL;
        }
    }
}
