package dev.crossway.linux;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a compositor's socket is, resolved as libwayland resolves it: the configured display, else
 * {@code $WAYLAND_DISPLAY}, else {@code wayland-0}; an absolute value is used as is, a name is taken
 * relative to {@code $XDG_RUNTIME_DIR}. For everything that connects to a compositor on this machine: the
 * loopback transport, and the emulated VM hosts of the tests.
 */
public final class WaylandDisplay {
    public static final String DEFAULT = "wayland-0";

    private WaylandDisplay() {
    }

    /**
     * A resolved socket and where its name came from ({@code --host-display}, {@code WAYLAND_DISPLAY} or
     * {@code the default}), for messages.
     */
    public record Resolved(Path socket, String source) {
    }

    /**
     * @param configured the {@code host-display} option, or null
     * @param env        the environment ({@code System::getenv} outside tests)
     * @throws IllegalArgumentException naming the option or variable at fault and the fix
     */
    public static Path socket(String configured, Function<String, String> env) {
        return resolve(configured, env).socket();
    }

    /** {@link #socket}, with where the name came from. */
    public static Resolved resolve(String configured, Function<String, String> env) {
        String display = nonEmpty(configured);
        String source = "--host-display";
        if (display == null) {
            display = nonEmpty(env.apply("WAYLAND_DISPLAY"));
            source = "WAYLAND_DISPLAY";
        }
        if (display == null) {
            display = DEFAULT;
            source = "the default";
        }
        if (display.startsWith("/")) {
            return new Resolved(Path.of(display), source);
        }
        String runtimeDir = nonEmpty(env.apply("XDG_RUNTIME_DIR"));
        if (runtimeDir == null) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR is not set and --host-display is not an absolute path ("
                    + source + " gives '" + display + "'): set XDG_RUNTIME_DIR or pass --host-display /path/to/socket");
        }
        return new Resolved(Path.of(runtimeDir).resolve(display), source);
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
