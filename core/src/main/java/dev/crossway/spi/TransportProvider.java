package dev.crossway.spi;

import java.io.IOException;

/**
 * Entry point of a transport plugin, found by {@link java.util.ServiceLoader}: a factory with a cheap
 * constructor. Creating a provider never touches a device; {@link #unavailabilityCause} probes and
 * {@link #open} acquires.
 */
public interface TransportProvider {

    /** The name users select it by ({@code crossway.transport}, {@code --transport}). */
    String name();

    /** One line for {@code --help} and {@code doctor}. */
    String description();

    /**
     * Rank for {@code transport = auto}: the available provider with the highest priority is chosen, so
     * a transport that needs a VM device outranks one that works anywhere. Ties go by name.
     * Guidance: 200 for a VM transport with the richest features, 100 for a legacy VM transport, 0
     * (the default) for one that needs no device.
     */
    default int priority() {
        return 0;
    }

    /**
     * The settings this transport reads from {@link TransportOptions} under
     * {@code crossway.transports.<name>}, for {@code --help} (those with a flag), the man page and the
     * check that warns about unknown keys. By default none.
     */
    default java.util.List<TransportOption> options() {
        return java.util.List.of();
    }

    /**
     * Why this transport cannot run here with these options, naming the cause and the fix; null when
     * it can.
     */
    String unavailabilityCause(TransportOptions options);

    /**
     * Every check this transport makes before it can run, one line each, for {@code crossway doctor}:
     * {@code ok  what}, or {@code missing  what: the fix}. By default one line from
     * {@link #unavailabilityCause}.
     */
    default java.util.List<String> checks(TransportOptions options) {
        String cause = unavailabilityCause(options);
        return java.util.List.of(cause == null ? "ok       " + name() + " can run" : "missing  " + cause);
    }

    /** Opens the transport. Fails with a message that names the cause and the fix. */
    Transport open(TransportOptions options) throws IOException;
}
