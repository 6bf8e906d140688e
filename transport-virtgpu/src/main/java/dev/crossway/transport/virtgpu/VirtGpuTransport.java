package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.CROSS_DOMAIN_MAX_SEND_RECEIVE_DATA;

import dev.crossway.linux.device.Device;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The virtgpu transport, open: each {@link #connect()} opens the DRM node afresh, because one DRM file
 * holds one cross-domain context, which holds one Wayland channel.
 */
final class VirtGpuTransport implements Transport {
    private final VirtGpuSettings settings;
    private final Device device;
    private final String devicePath;
    private final Capabilities capabilities;
    private final AtomicLong execbuffers = new AtomicLong();
    private volatile boolean closed;

    VirtGpuTransport(VirtGpuSettings settings, Device device, VirtGpu virtGpu) {
        this.settings = settings;
        this.device = device;
        this.devicePath = virtGpu.devicePath();
        // The host sees no guest memory and takes only its own objects: shm is copied into allocate()d blobs.
        this.capabilities = new Capabilities(false, false, settings.identifiers(), CROSS_DOMAIN_MAX_SEND_RECEIVE_DATA);
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
        return VirtGpuConnection.open(device, devicePath, settings, capabilities, execbuffers);
    }

    /** EXECBUFFER submissions by every connection of this transport so far (for stats and benchmarks). */
    long execbufferCount() {
        return execbuffers.get();
    }

    @Override
    public String describe() {
        return "virtgpu cross-domain on " + devicePath + " (" + settings.identifiers() + " identifiers, " + device.describe() + ")";
    }

    /** Stops new connections; open ones belong to their sessions and stay up. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "VirtGpuTransport[" + describe() + "]";
    }
}
