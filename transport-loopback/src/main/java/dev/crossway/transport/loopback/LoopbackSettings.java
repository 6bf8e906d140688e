package dev.crossway.transport.loopback;

import dev.crossway.linux.WaylandDisplay;
import dev.crossway.spi.TransportOptions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * The loopback options, read once from {@link TransportOptions}.
 *
 * @param socket the compositor's socket
 * @param memory whether the host sees guest memory directly
 */
record LoopbackSettings(Path socket, Memory memory) {
    static final String HOST_DISPLAY = "host-display";
    static final String MEMORY = "memory";

    /** How guest shm reaches the compositor. */
    enum Memory {
        /** The compositor maps the guest's shm fds itself (same kernel). */
        SHARED,
        /** The core copies shm into memfds this transport makes, as a VM transport must. */
        SEPARATE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Resolves the socket as libwayland does: {@code host-display}, else {@code $WAYLAND_DISPLAY},
     * else {@code wayland-0}; an absolute value is used as is, a name is taken relative to
     * {@code $XDG_RUNTIME_DIR}.
     *
     * @throws IllegalArgumentException naming the option or variable at fault and the fix
     */
    static LoopbackSettings resolve(TransportOptions options, Function<String, String> env) {
        return new LoopbackSettings(WaylandDisplay.socket(options.get(HOST_DISPLAY), env), memory(options.get(MEMORY)));
    }

    private static Memory memory(String value) {
        if (value == null || value.isEmpty()) {
            return Memory.SHARED;
        }
        for (Memory m : Memory.values()) {
            if (m.label().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown value '" + value + "' for option " + MEMORY + ": allowed values are "
                + Memory.SHARED.label() + ", " + Memory.SEPARATE.label());
    }
}
