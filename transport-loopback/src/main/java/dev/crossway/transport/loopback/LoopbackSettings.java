package dev.crossway.transport.loopback;

import dev.crossway.linux.WaylandDisplay;
import dev.crossway.spi.TransportOptions;
import java.io.IOException;
import java.nio.file.Files;
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
    /** General option from the daemon: the socket Crossway itself serves, which must not be the host. */
    static final String GUEST_SOCKET = "guest-socket";

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
        WaylandDisplay.Resolved host = WaylandDisplay.resolve(options.get(HOST_DISPLAY), env);
        Path socket = host.socket();
        String guest = options.get(GUEST_SOCKET);
        if (guest != null && !guest.isEmpty() && isSameFile(socket, Path.of(guest))) {
            throw new IllegalArgumentException("the host display " + socket + " (from " + host.source() + ") is the socket Crossway itself serves,"
                    + " so clients would come back to Crossway: point --host-display at the compositor's socket");
        }
        return new LoopbackSettings(socket, memory(options.get(MEMORY)));
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

    private static boolean isSameFile(Path a, Path b) {
        try {
            return a.normalize().equals(b.normalize()) || Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // one does not exist: not the same
        }
    }
}
