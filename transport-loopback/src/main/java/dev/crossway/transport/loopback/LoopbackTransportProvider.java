package dev.crossway.transport.loopback;

import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * Finds the loopback transport: a compositor socket on this machine.
 *
 * <p>Options: {@code host-display} (a socket name under {@code $XDG_RUNTIME_DIR}, or an absolute
 * path; default {@code $WAYLAND_DISPLAY}, then {@code wayland-0}) and {@code memory} ({@code shared},
 * the default, or {@code separate} to make the core copy shm as a VM transport would).
 *
 * <p>The constructor touches nothing; {@link #unavailabilityCause} probes the socket.
 */
public final class LoopbackTransportProvider implements TransportProvider {
    private final Function<String, String> env;

    public LoopbackTransportProvider() {
        this(System::getenv);
    }

    /** With a stand-in for the process environment, for tests. */
    LoopbackTransportProvider(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "loopback";
    }

    @Override
    public String description() {
        return "a Wayland compositor on this machine, through its socket (fds and shared memory pass as-is)";
    }

    /**
     * Its options are Crossway's general {@code host-display} and {@code memory} (flags {@code --host-display}
     * and {@code --memory}); they may also be set under {@code transports.loopback}.
     */
    @Override
    public List<TransportOption> options() {
        return List.of(
                new TransportOption(LoopbackSettings.HOST_DISPLAY, null, "NAME|PATH",
                        "loopback: the compositor's socket. Default: the general host-display, else $WAYLAND_DISPLAY, else wayland-0."),
                new TransportOption(LoopbackSettings.MEMORY, null, "shared|separate",
                        "loopback: separate forces the copy path of VM transports. Default: the general memory setting (shared)."));
    }

    @Override
    public String unavailabilityCause(TransportOptions options) {
        LoopbackSettings settings;
        try {
            settings = LoopbackSettings.resolve(options, env);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return Loopback.unavailabilityCause(settings.socket());
    }

    /** Resolves the options and checks that a compositor answers, so a bad setup fails here, not per client. */
    @Override
    public Transport open(TransportOptions options) throws IOException {
        LoopbackSettings settings;
        try {
            settings = LoopbackSettings.resolve(options, env);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        String cause = Loopback.unavailabilityCause(settings.socket());
        if (cause != null) {
            throw new IOException("cannot open the loopback transport: " + cause);
        }
        return new LoopbackTransport(settings);
    }

    @Override
    public String toString() {
        return "LoopbackTransportProvider";
    }
}
