package dev.crossway.transport.virtwl;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.VIRTWL_SEND_MAX_ALLOCS;
import static dev.crossway.transport.virtwl.sys.VirtWlUapi.VIRTWL_SEND_MAX_DATA;

import dev.crossway.linux.device.Device;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/** The virtwl transport, open: each {@link #connect()} is a new context VFD, one connection to the host compositor. */
final class VirtWlTransport implements Transport {
    private final VirtWlSettings settings;
    private final Device device;
    private final String devicePath;
    private final Capabilities capabilities;
    private volatile boolean closed;

    VirtWlTransport(VirtWlSettings settings, Device device, VirtWl virtWl) {
        this.settings = settings;
        this.device = device;
        this.devicePath = virtWl.devicePath();
        // The host sees no guest memory and takes only VFDs: shm is copied into allocate()d memory, pipes bridged.
        this.capabilities = new Capabilities(false, false, VIRTWL_SEND_MAX_ALLOCS, VIRTWL_SEND_MAX_DATA);
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
        return VirtWlConnection.open(device, devicePath, settings, capabilities);
    }

    @Override
    public String describe() {
        return "virtwl on " + devicePath + (settings.contextName() != null ? ", socket '" + settings.contextName() + "'" : "")
                + " (" + device.describe() + ")";
    }

    /** Stops new connections; open ones belong to their sessions and stay up. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "VirtWlTransport[" + describe() + "]";
    }
}
