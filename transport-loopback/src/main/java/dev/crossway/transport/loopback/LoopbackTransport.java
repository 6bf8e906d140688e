package dev.crossway.transport.loopback;

import dev.crossway.linux.SocketHostConnection;
import dev.crossway.linux.UnixSocket;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/** The loopback transport, open: one Unix socket connection to the compositor per guest client. */
final class LoopbackTransport implements Transport {
    /** libwayland's limit of fds per message batch ({@code MAX_FDS_OUT} in connection.c). */
    static final int MAX_FDS_OUT = 28;
    /** Bytes per send; a Unix socket takes any size (the connection loops), this just bounds one call. */
    static final int MAX_BYTES_PER_SEND = 65536;

    private final LoopbackSettings settings;
    private final Capabilities capabilities;
    private volatile boolean closed;

    LoopbackTransport(LoopbackSettings settings) {
        this.settings = settings;
        // Other fds (keymaps, pipes) pass in both modes; only shm is copied in separate mode.
        this.capabilities = new Capabilities(settings.memory() == LoopbackSettings.Memory.SHARED, true, MAX_FDS_OUT,
                MAX_BYTES_PER_SEND);
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public HostConnection connect() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return new SocketHostConnection(UnixSocket.connect(settings.socket()), capabilities);
    }

    @Override
    public String describe() {
        return "loopback to " + settings.socket() + " (" + settings.memory().label() + " memory)";
    }

    /** Stops new connections; open ones belong to their sessions and stay up. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "LoopbackTransport[" + describe() + "]";
    }
}
