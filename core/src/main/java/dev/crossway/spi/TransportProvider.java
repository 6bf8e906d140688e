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
     * Why this transport cannot run here with these options, naming the cause and the fix; null when
     * it can.
     */
    String unavailabilityCause(TransportOptions options);

    /** Opens the transport. Fails with a message that names the cause and the fix. */
    Transport open(TransportOptions options) throws IOException;
}
