package dev.crossway.spi;

import java.io.IOException;

/**
 * An opened transport: the way to the host compositor. Opens one {@link HostConnection} per guest
 * client.
 *
 * <p>Deliberately absent: listening for guest clients (the daemon does that) and any policy.
 */
public interface Transport extends AutoCloseable {

    /** Capabilities shared by every connection this transport opens. */
    Capabilities capabilities();

    /** Opens a new connection to the host compositor, for one guest client. */
    HostConnection connect() throws IOException;

    /** One line describing where this transport connects, for logs and {@code doctor}. */
    String describe();

    @Override
    void close();
}
